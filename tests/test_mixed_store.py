"""A store shared with other forces and other years gives the sample pack unchanged.

Store A holds the shipped sample (Cambridgeshire, 2024-25) alone. Store B also holds
Essex 2018 (LSOA 2011 codes) and SYNTHETIC Bedfordshire 2016-2017 and 2025 files whose
rows sit in Huntingdonshire's own LSOAs (as a neighbouring force's cross-border rows
would). Every number of the overview page must be identical, and so must the context
every theme opens (crimes, months, no-location rows, force-wide counts).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from sa_lib import config
from sa_lib.data.ingest import ingest
from sa_lib.pack.context import open_context
from sa_lib.pack.runner import run_pack

ESSEX = config.ROOT / "tests" / "fixtures" / "police_uk_essex_2018_subset"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)


def bedfordshire_synthetic(folder):
    """SYNTHETIC rows for another force, in Huntingdonshire LSOAs, in and out of the sample's years."""
    months = [str(p) for p in pd.period_range("2016-01", "2017-12", freq="M")]
    months += ["2025-10", "2025-11", "2025-12"]
    for m in months:
        rows = [
            f"b{i},{m},B,B,-0.18,52.33,On or near X,E01018113,Huntingdonshire X,Burglary,,"
            for i in range(5)
        ]
        rows.append(f",{m},B,B,,,No location,,,Burglary,,")
        f = folder / m / f"{m}-bedfordshire-street.csv"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("\n".join([HEADER, *rows]) + "\n")
    return folder


@pytest.fixture(scope="module")
def two_stores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mixed")
    a, b = tmp / "a", tmp / "b"
    ingest([config.SAMPLE_DIR / "police_uk"], a)
    ingest([ESSEX, bedfordshire_synthetic(tmp / "beds"), config.SAMPLE_DIR / "police_uk"], b)
    raw = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    paths = []
    for name, store in (("a", a), ("b", b)):
        p = dict(raw, data={**raw["data"], "store": str(store)})
        path = tmp / f"{name}.yaml"
        path.write_text(yaml.safe_dump(p))
        paths.append(path)
    return tmp, paths


def test_context_identical(two_stores):
    _, (pa, pb) = two_stores
    a, b = open_context(pa, "overview"), open_context(pb, "overview")
    assert a.forces == b.forces == ["cambridgeshire"]
    assert a.months_present == b.months_present
    cols = [c for c in a.crimes.columns if c != "source_file"]
    pd.testing.assert_frame_equal(a.crimes[cols], b.crimes[cols])
    assert len(a.no_location) == len(b.no_location)
    assert a.force_located_count == b.force_located_count


def _numbers(html: str) -> list[str]:
    html = re.sub(r"<img[^>]*>", "", html)
    # Dates and times of the run (header and footer) are not numbers of the assessment.
    html = re.sub(r"\d{1,2} \w+ \d{4}( \d{2}:\d{2})?", "", html)
    html = re.sub(r"/[^\s\"<]*\.yaml", "", html)
    html = re.sub(r"commit [0-9a-f]+", "", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.findall(r"-?\d[\d,]*\.?\d*%?", text)


@pytest.mark.e2e
def test_overview_numbers_identical(two_stores, direct_pack):
    """Store A's page is the session's kernel-free sample pack's (conftest.py
    ``direct_pack``: the shipped parameters on the sample alone); store B's is built here
    the same way, without a kernel (tests/test_direct.py holds that it is the kernel's
    page)."""
    tmp, (_, pb) = two_stores
    res_a, _ = direct_pack
    res_b = run_pack(
        pb, out_root=tmp / "out_b", themes=["overview"], progress=False, inline=True,
        notebooks=False,
    )  # fmt: skip
    assert res_b.ok
    pages = [(r.out_dir / "overview.html").read_text() for r in (res_a, res_b)]
    na, nb = (_numbers(h) for h in pages)
    assert len(na) > 200
    assert na == nb


def test_a_gap_ends_the_series_and_comparisons_are_not_available(tmp_path):
    # Cambridgeshire 2025 without June: Q4 2025's series starts in July; Q4 2024 is not held.
    months = [f"2025-{m:02d}" for m in range(1, 13) if m != 6]
    store = tmp_path / "gap"
    ingest([config.SAMPLE_DIR / "police_uk" / m for m in months], store)
    raw = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    raw["data"]["store"] = str(store)
    path = tmp_path / "gap.yaml"
    path.write_text(yaml.safe_dump(raw))
    ctx = open_context(path, "overview")
    assert set(ctx.periods) == {"current", "previous"}
    assert set(ctx.unavailable) == {"last_year", "baseline"}
    assert ctx.series_months == [f"2025-{m:02d}" for m in range(7, 13)]
    assert "gap before 2025-07" in ctx.series_note
    assert set(ctx.series()["month"]) == set(ctx.series_months)
    # Nothing is computed from a period not held: the summary has no last-year column.
    from sa_lib.themes import report, summary

    t = summary.type_summary(ctx.crimes, ctx.periods, ctx.geo.population)
    assert "count_last_year" not in t and "label_vs_last_year" not in t
    shown = report.summary_display(t, ctx)
    assert set(shown[ctx.unavailable["last_year"].label]) == {"not available"}
    assert set(shown[f"vs {ctx.unavailable['last_year'].label}"]) == {"not available"}
