"""The partner-data page (issue 21) on the SYNTHETIC example and on a differently shaped file."""

import pytest

from sa_lib import config

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _ctx(overrides=None):
    if not (config.PROCESSED_DIR / "coverage.json").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context("parameters/huntingdonshire_2025q4.yaml", "partner", overrides)


def test_partner_page_on_the_synthetic_example(sample_theme):
    r = sample_theme("partner")  # partner_report.build(_ctx()), built once per session
    d = r.to_json()
    assert d["synthetic"] == "page"
    assert d["findings"][0]["text"].startswith("SYNTHETIC DATA")
    table = next(t for t in d["tables"] if t["caption"].startswith("SYNTHETIC DATA: Partner"))
    names = [row[0] for row in table["rows"]]
    assert "Deliberate fires" in names and "Council ASB cases" in names
    assert "Variation (SPC)" in table["columns"]
    corr = next(t for t in d["tables"] if "beside the police.uk series" in (t["caption"] or ""))
    assert {row[1] for row in corr["rows"]} >= {
        "Criminal damage and arson",
        "Anti-social behaviour",
    }


def test_partner_page_on_a_differently_shaped_file_through_its_mapping():
    from sa_lib.themes import partner_report

    ctx = _ctx(
        {
            "data.partner_indicators": "tests/fixtures/partner/fire_service_ward_export.csv",
            "data.partner_mapping": "config/partner_mappings/example_fire_service.yaml",
        }
    )
    d = partner_report.build(ctx).to_json()
    assert d["synthetic"] == "none"
    table = next(t for t in d["tables"] if (t["caption"] or "").startswith("Partner indicators"))
    rows = {row[0]: dict(zip(table["columns"], row, strict=True)) for row in table["rows"]}
    # Deliberate fires cover both quarters; council ASB cases (one month) are said to be missing.
    assert set(rows) == {"Deliberate fires"}
    fires = rows["Deliberate fires"]
    assert fires["Level"] == "ward" and fires["Q4 2025 (Oct-Dec)"] == 12
    assert "Council ASB cases" in d["availability"]["partner indicators"]
    # 12 fires by ward is under the ward flags' minimum count: no ward is compared.
    assert "minimum count" in d["availability"]["partner ward flags"]


def test_partner_page_without_partner_data_says_why(tmp_path):
    import yaml

    from sa_lib.pack.context import open_context
    from sa_lib.themes import partner_report

    _ctx()  # skips without the sample store
    raw = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    del raw["data"]["partner_indicators"]
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(raw))
    r = partner_report.build(open_context(path, "partner"))
    assert "partner data" in r.availability and r.tables() == []
