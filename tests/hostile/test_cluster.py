"""The fan-out cluster cannot be turned against its user: TLS with credentials made for the
run, a client without them is refused, plain TCP to another host needs --insecure, and a
scheduler address that is not a scheduler is a clear error, not a hang."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from sa_lib.pack import executor
from sa_lib.pack.executor import SchedulerError, check_scheduler, dask_client

pytestmark = pytest.mark.slow


def _square(x):
    return x * x


def test_local_cluster_speaks_tls_and_refuses_a_client_without_credentials():
    from distributed import Client
    from distributed.security import Security

    with dask_client(n_workers=1) as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        assert client.submit(_square, 7).result(timeout=60) == 49  # our own client works
        host_port = address[len("tls://") :]
        # An attacker who found the port: plain TCP, TLS without a certificate, TLS with
        # a certificate of their own: all refused, nothing runs.
        for addr, sec in [
            (f"tcp://{host_port}", None),
            (address, Security(require_encryption=True)),
            (address, Security.temporary()),
        ]:
            t0 = time.perf_counter()
            with pytest.raises((OSError, TimeoutError, ValueError, TypeError)):
                c = Client(addr, security=sec, timeout="4s")
                c.submit(_square, 3).result(timeout=4)
            assert time.perf_counter() - t0 < 30


def test_plain_tcp_to_another_host_is_refused_unless_insecure():
    with pytest.raises(SchedulerError, match="--insecure"):
        check_scheduler("tcp://10.1.2.3:8786")
    with pytest.raises(SchedulerError, match="--insecure"):
        check_scheduler("scheduler.example.org:8786")
    assert check_scheduler("tcp://10.1.2.3:8786", insecure=True) == "tcp://10.1.2.3:8786"
    assert check_scheduler("tcp://127.0.0.1:8786") == "tcp://127.0.0.1:8786"


def test_tls_scheduler_without_the_users_certificates_is_refused():
    with pytest.raises(SchedulerError, match="distributed.comm.tls.ca-file"):
        check_scheduler("tls://10.1.2.3:8786")


@pytest.mark.parametrize("bad", ["tcp://host\n:1", "tcp://:8786", "http://127.0.0.1:80"])
def test_malformed_scheduler_address_is_refused(bad):
    with pytest.raises(SchedulerError, match="Fix"):
        check_scheduler(bad)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """An HTTP server that does not log: Dask's late retries would print after the run."""

    def log_message(self, *args) -> None:
        pass


def test_scheduler_at_an_http_port_is_a_clear_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", 3)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        t0 = time.perf_counter()
        with pytest.raises(SchedulerError, match="no Dask scheduler answered"):
            with dask_client(scheduler=f"tcp://127.0.0.1:{srv.server_address[1]}"):
                pass
        assert time.perf_counter() - t0 < 30
    finally:
        srv.shutdown()
        srv.server_close()


def test_cli_refuses_negative_workers_and_remote_tcp():
    from .conftest import SHIPPED_PARAMS, run_sa

    r = run_sa("run", SHIPPED_PARAMS, "--workers", "-3", timeout=60)
    assert r.returncode == 2 and "from 1 to 256" in r.stderr
    r = run_sa("run-all", SHIPPED_PARAMS, "--workers", "-3", timeout=60)
    assert r.returncode == 2 and "from 1 to 256" in r.stderr
    r = run_sa("run", SHIPPED_PARAMS, "--scheduler", "tcp://10.1.2.3:8786", timeout=60)
    assert r.returncode == 2 and "--insecure" in r.stderr and "Traceback" not in r.stderr
