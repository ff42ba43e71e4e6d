"""End to end: run the whole pack on the shipped sample and check what partners receive."""

from __future__ import annotations

import hashlib
import json
import platform
import re
import subprocess
import sys
from importlib.metadata import version

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from sa_lib import config
from sa_lib.pack.disclosure_scan import scan_html_for_disclosure
from sa_lib.pack.export import external_resources
from sa_lib.pack.params import ParameterError
from sa_lib.pack.runner import EXIT, run_pack

SAMPLE_PARAMS = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"

# The sections each theme's partner HTML must have (h2 headings).
EXPECTED_SECTIONS = {
    "domestic_abuse": [
        "Key findings",
        "What this page is based on",
        "Volume, rate and share of violence",
        "Repeat victimisation",
        "Victims and offences",
        "When",
        "Where",
        "Methods and assumptions",
    ],
    "violence": [
        "Key findings",
        "Volume and rate",
        "Trends",
        "Night-time economy",
        "Ambulance call-outs as corroboration",
        "Wards",
        "Victims",
        "Methods and assumptions",
    ],
    "overview": [
        "Key findings",
        "Crime and ASB by type",
        "Monthly trends",
        "Wards",
        "Comparison with the wider area",
        "How concentrated is crime?",
        "Data quality",
        "Methods and assumptions",
    ],
    "hotspots": [
        "Key findings",
        "Where crime is concentrated",
        "Hot and cold spots",
        "Emerging hot spots over time",
        "Change between two periods per ward",
        "Methods and assumptions",
    ],
    "place_profile": [
        "Key findings",
        "The area",
        "Counts, rates and trends",
        "Crime mix",
        "When",
        "Hot spots inside the area",
        "Methods and assumptions",
    ],
    "summary": [
        "Document control",
        "Key findings",
        "Recommended priorities",
        "Review of current priorities",
        "Priority matrix",
        "Wards with several flags",
        "Methods and assumptions",
    ],
    "wards": [
        "Key findings",
        "Ward appendix",
        "Flags by indicator",
        "Wards with several flags",
        "Methods and assumptions",
    ],
    "outcomes": [
        "Key findings",
        "Outcomes by crime type",
        "Stop and search",
        "Methods and assumptions",
    ],
    "cse": [
        "Key findings",
        "What this page is based on",
        "Ward risk index",
        "Priority wards",
        "Indicator profiles of the priority wards",
        "Map",
        "Trends in CSE-flagged crimes and referrals",
        "Methods and assumptions",
    ],
}


def _params_with_store(tmp_path, store, **overrides):
    p = yaml.safe_load(SAMPLE_PARAMS.read_text())
    p["data"]["store"] = str(store)
    p.update(overrides)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


# The ``pack`` fixture (the whole sample pack, built once per session) is in conftest.py.


@pytest.mark.e2e
def test_pack_completes(pack):
    res, themes = pack
    failed = [(t["theme"], t.get("error_summary")) for t in res.themes if t["status"] != "ok"]
    assert failed == [], failed
    assert res.ok and res.exit_code == EXIT["ok"]
    assert res.out_dir.name == "huntingdonshire_2025q4"
    for t in themes:
        assert (res.out_dir / f"{t}.html").is_file()
        assert (res.out_dir / "notebooks" / f"{t}.ipynb").is_file()
    index = (res.out_dir / "index.html").read_text()
    for t in themes:
        assert f'href="{t}.html"' in index
    assert "INCOMPLETE" not in index
    assert (res.out_dir / "run.log").read_text().strip()


@pytest.mark.e2e
def test_manifest_records_inputs_versions_and_status(pack):
    res, themes = pack
    m = json.loads((res.out_dir / "manifest.json").read_text())
    assert m["status"] == "complete"
    assert m["parameters"]["csp"]["lad_codes"] == ["E07000011"]
    assert re.fullmatch(r"[0-9a-f]{64}", m["inputs"]["population"]["sha256"])
    assert m["inputs"]["store"]["partitions"], "store partitions (with source hashes) are listed"
    assert m["versions"]["pandas"] and m["versions"]["papermill"]
    # The whole stack: every installed distribution, the Python version and the lock's hash.
    env = m["environment"]
    pip_list = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    every = {
        re.sub(r"[-_.]+", "-", d["name"]).lower(): d["version"] for d in json.loads(pip_list.stdout)
    }
    assert env["distributions"] == every and len(every) > 100
    assert env["distributions"]["pandas"] == version("pandas")
    assert env["python"] == platform.python_version()
    lock = config.ROOT / "requirements.lock"
    assert env["lock"]["sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert [t["theme"] for t in m["themes"]] == themes
    assert all(t["status"] == "ok" and t["seconds"] > 0 for t in m["themes"])
    assert m["git_commit"]


@pytest.mark.e2e
def test_html_is_offline_codeless_and_has_sections(pack):
    res, themes = pack
    for t in themes:
        html = (res.out_dir / f"{t}.html").read_text()
        assert external_resources(html) == [], f"{t}.html fetches from the internet"
        assert "jp-InputArea-editor" not in html.split("</style>")[-1], f"{t}.html shows code cells"
        assert "In&nbsp;[" not in html, f"{t}.html shows prompts"
        assert "open_context(" not in html and "import " not in html.split("</style>")[-1], (
            f"{t}.html shows code"
        )
        assert "Traceback" not in html
        assert 'class="sa-toc"' in html, f"{t}.html has no table of contents"
        assert "Open Government Licence v3.0" in html, f"{t}.html lacks the attribution footer"
        assert "data:image/png;base64" in html, f"{t}.html has no embedded chart"
        assert len(html.encode()) < 3 * 1024 * 1024, f"{t}.html is over 3 MB"
        headings = re.findall(r"<h2[^>]*>(.*?)<", html)
        for section in EXPECTED_SECTIONS.get(t, []):
            assert section in headings, f"{t}.html lacks section {section!r}"


@pytest.mark.e2e
def test_no_disclosive_numbers_in_any_page(pack):
    res, themes = pack
    from sa_lib.pack.params import PUBLISHED_THEMES, SENSITIVE_THEMES

    for t in [*themes, "index"]:
        html = (res.out_dir / f"{t}.html").read_text()
        if 'data-sa-published-counts="show"' in html:
            # disclosure.published_counts: show: police.uk's own published counts, unsuppressed.
            assert t in PUBLISHED_THEMES and t not in SENSITIVE_THEMES, t
            continue
        found = scan_html_for_disclosure(html, threshold=10)
        assert found.empty, f"{t}.html:\n{found.head(10).to_string()}"


def _nb(path, source):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('params_path = ""\ntheme = ""')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Section"),
        cell,
        nbformat.v4.new_code_cell(source),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.mark.e2e
def test_failed_theme_exits_nonzero_and_keeps_last_good_pack(tmp_path, sample_store, monkeypatch):
    """A theme that fails on the executor fails the run (exit 3) and the last good pack stays.

    The last good pack is built inline (this process's warm kernel, no Dask cluster): any
    published pack is a last good pack; the failing run is the one on the executor."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _nb(nbdir / "good.ipynb", "print('fine')")
    _nb(nbdir / "bad.ipynb", "x = 1\nraise ValueError('deliberate failure for the test')")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", nbdir)
    out = tmp_path / "outputs"

    first = run_pack(
        _params_with_store(tmp_path, sample_store, themes=["good"]),
        out_root=out,
        progress=False,
        inline=True,
    )
    assert first.ok
    good_index = (first.out_dir / "index.html").read_text()

    second = run_pack(
        _params_with_store(tmp_path, sample_store, themes=["good", "bad"]),
        out_root=out,
        progress=False,
    )
    assert not second.ok and second.exit_code == EXIT["notebook"] == 3
    bad = next(t for t in second.themes if t["theme"] == "bad")
    assert bad["status"] == "failed"
    assert (
        bad["cell"] == 2
        and "ValueError" in bad["error_summary"]
        and "deliberate" in bad["error_summary"]
    )
    # The last good pack is untouched; the failed build is kept aside for debugging.
    assert (first.out_dir / "index.html").read_text() == good_index
    assert not (first.out_dir / "bad.html").exists()
    failed = second.out_dir
    assert failed.name.endswith(".failed")
    assert (failed / "notebooks" / "bad.FAILED.ipynb").is_file()
    assert not (failed / "bad.html").exists(), "a failed theme never gets HTML"
    assert "INCOMPLETE" in (failed / "index.html").read_text()
    assert json.loads((failed / "manifest.json").read_text())["status"] == "failed"
    assert not list(out.glob(".*tmp*")), "no temporary build folders are left behind"


@pytest.mark.e2e
def test_every_page_using_synthetic_data_says_so(pack):
    res, themes = pack
    index = (res.out_dir / "index.html").read_text()
    rows = {r.split("</td>")[0] for r in index.split("<tr><td>")[1:]}
    synthetic = []
    for t in themes:
        html = (res.out_dir / f"{t}.html").read_text()
        if 'class="sa-synthetic"' in html:
            synthetic.append(t)
            assert "This page uses SYNTHETIC data" in html, f"{t}.html footer"
            assert any(f'href="{t}.html"' in r and "SYNTHETIC DATA" in r for r in rows), (
                f"index row for {t}"
            )
    # The sample runs the extract-based themes on the synthetic extract.
    assert {"violence", "domestic_abuse", "cse"} <= set(synthetic)


@pytest.mark.e2e
def test_violence_runs_on_police_uk_alone(tmp_path, sample_store):
    params = _params_with_store(tmp_path, sample_store, themes=["violence"])
    p = yaml.safe_load(params.read_text())
    for key in ("extract", "licensed_premises", "ambulance"):
        p["data"].pop(key, None)
    params.write_text(yaml.safe_dump(p))
    # The page is checked, not the notebook: built in this process without a kernel.
    res = run_pack(params, out_root=tmp_path / "out", progress=False, inline=True, notebooks=False)
    assert res.ok, [t.get("error_summary") for t in res.themes]
    html = (res.out_dir / "violence.html").read_text()
    assert "No force extract was given" in html
    assert (
        "needs a force extract with committed times" in html
        or "police.uk gives months only" in html
    )
    assert "Victim age and sex need the force extract" in html
    assert 'class="sa-synthetic"' not in html, (
        "nothing synthetic is used, so nothing is labelled synthetic"
    )
    assert scan_html_for_disclosure(html, threshold=10).empty


@pytest.mark.e2e
def test_domestic_abuse_without_an_extract_fails_clearly(tmp_path, sample_store):
    params = _params_with_store(tmp_path, sample_store, themes=["domestic_abuse"])
    p = yaml.safe_load(params.read_text())
    p["data"].pop("extract")
    params.write_text(yaml.safe_dump(p))
    # Refused by the parameters check before any notebook runs (issue 19).
    with pytest.raises(ParameterError, match="needs a force extract.*sa ingest-extract"):
        run_pack(params, out_root=tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.html"))


def _csv(pack_dir, page, caption_start):
    from sa_lib.pack.downloads import read_csv_table

    for f in sorted((pack_dir / "data").glob(f"{page}_[0-9][0-9]_*.csv")):
        t = read_csv_table(f)
        # Tables on a synthetic page carry "SYNTHETIC DATA: " in their caption (issue 13).
        if t["caption"].removeprefix("SYNTHETIC DATA: ").startswith(caption_start):
            return pd.DataFrame(t["rows"], columns=t["header"])
    raise AssertionError(f"no table {caption_start!r} on {page}")


@pytest.mark.e2e
def test_summary_front_page_has_findings_matrix_sensitivity_and_review(pack):
    res, _ = pack
    html = (res.out_dir / "summary.html").read_text()
    findings = re.search(r'<ul class="sa-findings">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", findings, re.S)
    assert 5 <= len(items) <= 9
    assert all('class="sa-evidence"' in i for i in items)
    assert "No real change in Q4 2025 (Oct-Dec) against Q4 2024" in findings
    assert "Sensitivity check" in html and "For the board to consider" in html
    review = _csv(res.out_dir, "summary", "Current priorities")
    assert list(review["Priority"]) == [
        "Reduce anti-social behaviour",
        "Reduce violence",
        "Reduce shoplifting",
    ]
    assert set(review["Status"]) <= {"on track", "off track", "uncertain"} or len(review["Status"])
    matrix = _csv(res.out_dir, "summary", "Priority matrix").set_index("Issue")
    for sensitive in (
        "Domestic abuse (repeat victims) (SYNTHETIC)",
        "Child sexual exploitation (priority wards) (SYNTHETIC)",
    ):
        assert matrix.loc[sensitive, "Count"] == "withheld (sensitive theme)", sensitive
    index = (res.out_dir / "index.html").read_text()
    assert "Priority score" in index, "the index carries the summary's key findings"
    for page in res.out_dir.glob("*.html"):
        assert 'class="sa-doc-control"><strong>OFFICIAL</strong>' in page.read_text(), page.name


@pytest.mark.e2e
def test_priority_scores_are_reproducible_from_the_tables_they_cite(pack):
    """Recompute every score from the published measures table and the scoring rules."""
    from sa_lib.stats import priority

    res, _ = pack
    rules = priority.load_scoring()
    m = _csv(res.out_dir, "summary", "Measures used for the scores")
    matrix = _csv(res.out_dir, "summary", "Priority matrix")
    lo, hi = rules["confidence"]["count_bands"]

    def count(v):
        if v.startswith("withheld"):
            return hi if f"{hi} or more" in v else (lo if f"{lo} to" in v else 0)
        return 1 if v.startswith("fewer than") else int(v.replace(",", ""))

    def num(v):
        return np.nan if v in ("–", "") else (0.0 if v == "[c]" else float(v))

    def yes(v):
        return {"yes": True, "no": False}.get(v, np.nan)

    measures = pd.DataFrame(
        {
            "issue": m["Issue"],
            "count": [count(v) for v in m["Count"]],
            "share": [num(v) for v in m["Share of all crime and ASB"]],
            "above_wider": [yes(v) for v in m["Rate above wider area"]],
            "change": [np.nan if v == "–" else v for v in m["Tested change"]],
            "rising_trend": [yes(v) for v in m["Rising trend"]],
            "spc_signal": [yes(v) for v in m["SPC high signal"]],
            "harm_band": [num(v) for v in m["Harm band"]],
            "deprived_ratio": [num(v) for v in m["Deprived-fifth ratio"]],
            "repeat_share": [num(v) for v in m["Repeat share"]],
            "young_share": [num(v) for v in m["Young victims share"]],
            "top10_share": [num(v) for v in m["Top 10% LSOA share"]],
            "ward_ratio": [num(v) for v in m["Ward rate / district"]],
            "children": [v == "yes" for v in m["Concerns children"]],
            # A ward's partner flags (the column is shown only when a ward has one).
            "partner_flags": [
                0 if v in ("–", "") else len(v.split(", "))
                for v in m.get("Partner indicators above the district", pd.Series("–", m.index))
            ],
            "synthetic": [v == "yes" for v in m["Synthetic"]],
        }
    )
    again = priority.priority_scores(priority.dimension_scores(measures, rules), rules)
    shown = matrix.assign(issue=matrix["Issue"].str.removesuffix(" (SYNTHETIC)")).set_index("issue")
    again = again.set_index("issue")
    assert set(again.index) == set(shown.index)

    def whole(col):  # "2 (not scored)" -> 2; "=2" (a tie) -> 2
        return col.astype(str).str.removesuffix(" (not scored)").str.lstrip("=").astype(int)

    # A measure withheld as [c] (disclosure by derivation) cannot be recomputed from the
    # page: the dimensions it feeds, and the score and rank, are checked on the other rows.
    hidden_cols = {
        "concentration": ["Top 10% LSOA share"],
        "vulnerability": ["Deprived-fifth ratio", "Repeat share", "Young victims share"],
    }
    hidden = {
        d: pd.Series(
            np.any([[v == "[c]" for v in m[c]] for c in cols], axis=0), index=measures["issue"]
        )
        for d, cols in hidden_cols.items()
    }
    any_hidden = np.any([h.to_numpy() for h in hidden.values()], axis=0)
    assert not any_hidden.all(), "every row has a withheld measure: nothing left to check"
    for d in priority.DIMENSIONS:
        keep = ~hidden[d].loc[again.index] if d in hidden else slice(None)
        got, want = again[d][keep], whole(shown.loc[again.index, d.capitalize()])[keep]
        assert (got == want).all(), d
    visible = [i for i, h in zip(measures["issue"], any_hidden, strict=True) if not h]
    assert np.allclose(
        again.loc[visible, "score"].round(2), shown.loc[visible, "Priority score"].astype(float)
    )


@pytest.mark.e2e
def test_every_ward_in_the_appendix_and_every_flagged_ward_profiled(pack):
    import geopandas as gpd

    from sa_lib.themes.assessment import anchor

    res, _ = pack
    wards = gpd.read_file(config.SAMPLE_DIR / "boundaries" / "ward25" / "E07000011.geojson")
    table = _csv(res.out_dir, "wards", "Every ward")
    assert sorted(table["Ward"]) == sorted(wards["WD25NM"])
    html = (res.out_dir / "wards.html").read_text()
    flagged = [w for w, f in zip(table["Ward"], table["Flags"], strict=True) if f.count(";") >= 1]
    assert flagged, "the sample has wards with several flags"
    for w in flagged:
        assert f'<h3 id="{anchor(w)}"' in html.replace("&amp;", "&"), w
    summary = (res.out_dir / "summary.html").read_text()
    assert all(w.replace("&", "&amp;") in summary for w in flagged)


@pytest.mark.e2e
def test_outcomes_and_stop_and_search_run_on_the_sample(pack):
    res, _ = pack
    html = (res.out_dir / "outcomes.html").read_text()
    assert "latest year that has them: 2024" in html
    by_type = _csv(res.out_dir, "outcomes", "Outcome of crimes recorded in 2024")
    assert "All crime" in set(by_type["Crime type"]) and "Awaiting outcome" in by_type.columns
    finds = _csv(res.out_dir, "outcomes", "Find rate by object of search")
    assert "Controlled drugs" in set(finds["Object of search"])
    assert "found by police activity" in html


@pytest.mark.e2e
def test_every_table_has_its_csv_and_the_workbook_matches_the_html(pack):
    from html_tables import html_tables
    from openpyxl import load_workbook

    from sa_lib.pack.downloads import WORKBOOK, cell_value

    res, themes = pack
    wb = load_workbook(res.out_dir / WORKBOOK)
    rows = list(wb["Contents"].iter_rows(values_only=True))
    head = list(rows[3])
    contents = rows[4:]
    by_csv = {row[head.index("CSV file")]: row[0] for row in contents}
    total = 0
    # The index's build table (theme, status, run time) is not data: it has no download.
    for t in themes:
        html = (res.out_dir / f"{t}.html").read_text()
        tables = html_tables(html)
        links = re.findall(
            r'<p class="sa-download"><a (?:download="" )?href="(data/[^"]+\.csv)"', html
        )
        assert len(links) == len(tables), f"{t}: a table without its CSV link"
        for link, table in zip(links, tables, strict=True):
            assert (res.out_dir / link).is_file()
            rows = list(wb[by_csv[link]].iter_rows(values_only=True))
            assert list(rows[1]) == table["header"], link
            body = [list(r) for r in rows[2 : 2 + len(table["rows"])]]
            assert body == [[cell_value(v) for v in r] for r in table["rows"]], link
            # After the table: nothing, or a blank row and the suppression note.
            rest = [list(r) for r in rows[2 + len(table["rows"]) :]]
            assert rest == [] or (len(rest) == 2 and str(rest[1][0]).startswith("<")), rest
        total += len(tables)
    assert len(contents) == total


@pytest.mark.e2e
def test_every_csv_loads_with_pandas_defaults_into_the_table_on_its_page(pack):
    """Issue 21: a BOM and a title line made ``pd.read_csv(file)`` a 16x1 frame."""
    from sa_lib.pack.downloads import csv_cell

    res, _ = pack
    checked = 0
    for result in sorted((res.out_dir / "results").glob("*.json")):
        for t in json.loads(result.read_text(encoding="utf-8"))["tables"]:
            f = res.out_dir / "data" / t["file"]
            df = pd.read_csv(f)
            assert df.shape == (len(t["rows"]), len(t["columns"])), f.name
            text = pd.read_csv(f, dtype=str, keep_default_na=False)
            assert list(text.columns) == t["columns"], f.name
            assert text.to_numpy().tolist() == [[csv_cell(v) for v in r] for r in t["shown"]]
            assert json.loads(f.with_suffix(".json").read_text())["title"], f.name
            checked += 1
    assert checked > 50
    from openpyxl import load_workbook

    wb = load_workbook(res.out_dir / "tables.xlsx")
    assert all(wb[s]["A1"].value for s in wb.sheetnames), "every sheet has a title"
