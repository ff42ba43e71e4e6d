"""`statistics.series_months`: how many months of the unbroken run a series reads.

Issue 19 capped the gap-aware series at 24 months so that older years added to a store
leave a pack unchanged; the cap hid longer trends. It is now a typed parameter (default
24, the shipped pack unchanged): a longer setting reads more months when the store holds
them, and each page that reads the series states the setting and the months used in
its Methods.
"""

from __future__ import annotations

import pytest
import shapes
import yaml

from sa_lib import config
from sa_lib.pack.furniture import developer_text
from sa_lib.pack.params import ParameterError, validate_params

SAMPLE_ALL = tuple(f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13))


def _with_series(path, months: int | None):
    p = yaml.safe_load(path.read_text())
    if months is not None:
        p["statistics"]["series_months"] = months
    out = path.with_name(f"{path.stem}_{months}.yaml")
    out.write_text(yaml.safe_dump(p))
    return out


def _methods_notes(result) -> list[str]:
    return [b.text for s, b in result.blocks() if s == "methods" and type(b).__name__ == "Note"]


@pytest.fixture(scope="module")
def three_years(tmp_path_factory):
    """The sample's 2024-2025 with its 2024 rows relabelled 2023: 36 unbroken months."""
    root = tmp_path_factory.mktemp("three_years")
    older = shapes.relabel_year([f"2024-{m:02d}" for m in range(1, 13)], 2024, 2023, root / "in")
    return shapes.make_store(root, [*older, *shapes.sample_months(*SAMPLE_ALL)])


def test_series_months_is_validated_with_its_range():
    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    assert validate_params(p, "p.yaml", check_store=False).statistics.series_months == 24
    for bad in (6, 241, "two years"):
        p["statistics"]["series_months"] = bad
        with pytest.raises(ParameterError, match="statistics.series_months"):
            validate_params(p, "p.yaml", check_store=False)


@pytest.mark.e2e
def test_a_longer_series_reads_more_months_when_the_store_holds_them(three_years, tmp_path):
    base = shapes.sample_params(tmp_path, three_years, "2025-Q4", ["overview"])
    runs = {}
    for n in (None, 36, 48):
        with shapes.pack_without_pixels():  # the series and Methods are read, not the charts
            _, r = shapes.cell(_with_series(base, n), "overview")
        months = sorted(r.data["monthly"]["month_start"].dt.strftime("%Y-%m").unique())
        runs[n] = (months[0], months[-1], len(months))
        (note,) = [t for t in _methods_notes(r) if t.startswith("Series length")]
        assert f"at most {n or 24} months (the series length set in the parameters" in note
        assert not developer_text(f"<p>{note}</p>"), note
        assert (
            f"the police.uk series used {months[0]} to {months[-1]} ({len(months)} months)" in note
        )
    assert runs[None] == ("2024-01", "2025-12", 24)  # the default: the shipped pack's run
    assert runs[36] == ("2023-01", "2025-12", 36)  # the older year is now read
    assert runs[48] == runs[36]  # no more than the store holds: a gap-free 36 months
