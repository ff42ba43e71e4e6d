"""Hostile data on the pages: a ``$`` in a ward name, and inference attacks on
suppressed numbers (a share beside a suppressed count, a table ranked by a suppressed
rate, a suppressed ward in a map tooltip)."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import geopandas as gpd
import matplotlib
import pandas as pd
import pytest
from shapely.geometry import box

from sa_lib.data.periods import comparison_periods, parse_period
from sa_lib.pack.context import EffectiveDisclosure
from sa_lib.pack.params_model import Statistics

DOLLAR_WARDS = ["St $ Ives", "Bad $\\undefinedcommand$ Ward", "Ramsey"]


def _render(fig) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.tell() > 0


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def test_dollar_in_ward_names_on_a_rate_chart():
    from sa_lib.charts.comparison import plot_rates_with_ci

    df = pd.DataFrame(
        {
            "area": DOLLAR_WARDS,
            "rate": [5.0, 7.0, 6.0],
            "rate_lower": [4.0, 6.0, 5.0],
            "rate_upper": [6.0, 8.0, 7.0],
        }
    )
    fig = plot_rates_with_ci(df, highlight="St $ Ives", title="St $ Ives and St $ Neots")
    _render(fig)  # mathtext would raise on the undefined command
    assert set(DOLLAR_WARDS) <= set(_texts(fig))
    assert matplotlib.rcParams["text.parse_math"] is False


def test_dollar_in_ward_names_on_a_map():
    import matplotlib.pyplot as plt

    from sa_lib.charts.maps import label_areas

    g = gpd.GeoDataFrame(
        {"ward_name": DOLLAR_WARDS},
        geometry=[box(i * 1000, 0, i * 1000 + 900, 900) for i in range(3)],
        crs=27700,
    )
    fig, ax = plt.subplots()
    g.plot(ax=ax)
    label_areas(ax, g, "ward_name")
    ax.set_title("$x$ wards: " + " / ".join(DOLLAR_WARDS))
    _render(fig)
    assert set(DOLLAR_WARDS) <= set(_texts(fig))


def test_plain_text_survives_style_apply():
    from sa_lib import style

    matplotlib.rcParams["text.parse_math"] = True
    style.apply()
    assert matplotlib.rcParams["text.parse_math"] is False


# ---- inference attacks --------------------------------------------------------------


def _ctx(threshold=10, secondary=True):
    period = parse_period("2025-Q4")
    return SimpleNamespace(
        periods=comparison_periods(period, None),
        period=period,
        rate_label="per 1,000 residents",
        stats=Statistics(conf_level=0.95, alpha=0.05),
        disclosure=EffectiveDisclosure(
            threshold=threshold, secondary=secondary, suppress_zero=False
        ),
    )


def test_share_beside_a_suppressed_count_is_withheld():
    """3 of 40 would print '8%' beside '<10': the share reveals the count."""
    from sa_lib.themes.report import share_display, table_html

    share = pd.DataFrame(
        {
            "label": ["Oct-Dec 2025", "Oct-Dec 2024"],
            "da": [3, 25],
            "all": [40, 100],
            "proportion": [3 / 40, 0.25],
            "proportion_lower": [0.02, 0.17],
            "proportion_upper": [0.2, 0.35],
        }
    )
    d = share_display(share, "da", "all", "Domestic abuse")
    html = table_html(
        d,
        count_cols=["Domestic abuse", "Out of"],
        threshold=10,
        secondary=False,
        derived={"Share": ["Domestic abuse", "Out of"], "95% CI": ["Domestic abuse", "Out of"]},
    )
    first_row = html.split("<tr>")[2]
    assert "&lt;10" in first_row
    assert "8%" not in first_row and "2% to 20%" not in first_row
    assert "25%" in html  # the unsuppressed row is shown (the test can fail)


def _ward_table():
    # Ward C has 3 crimes in a tiny population: the highest rate, suppressed.
    return pd.DataFrame(
        {
            "ward_name": ["A", "B", "C", "D"],
            "count_current": [120, 80, 3, 40],
            "count_last_year": [110, 90, 12, 45],
            "count_previous": [100, 85, 11, 44],
            "rate": [12.0, 8.0, 30.0, 4.0],
            "rate_lower": [10.0, 6.5, 6.0, 3.0],
            "rate_upper": [14.0, 9.5, 80.0, 5.0],
        }
    ).sort_values("rate", ascending=False)


def test_table_ranked_by_rate_does_not_place_a_suppressed_ward():
    from sa_lib.themes.report import summary_display

    d = summary_display(_ward_table(), _ctx(secondary=False), label_col="ward_name", label="Ward")
    order = d["Ward"].tolist()
    assert order[:3] == ["A", "B", "D"], "shown wards keep their rate order"
    assert order[-1] == "C", "the suppressed ward is not ranked by its hidden rate"
    # With secondary suppression D's count is the complement ([c]): it is not ranked either.
    d = summary_display(_ward_table(), _ctx(), label_col="ward_name", label="Ward")
    assert d["Ward"].tolist() == ["A", "B", "C", "D"]


def test_map_tooltip_of_a_suppressed_ward_shows_no_number():
    from sa_lib.charts.svg_maps import svg_choropleth
    from sa_lib.themes.report import ward_map_frame

    wards = pd.DataFrame(
        {
            "ward_code": ["W1", "W2", "W3"],
            "rate": [12.34, 56.78, 4.56],
            "rate_lower": [10.11, 21.43, 3.21],
            "rate_upper": [14.57, 99.87, 5.98],
            "count_current": [120, 3, 40],
        }
    )
    geo = SimpleNamespace(
        wards=gpd.GeoDataFrame(
            {"ward_code": ["W1", "W2", "W3"], "ward_name": ["Alpha", "Beta", "Gamma"]},
            geometry=[box(i * 1000, 0, i * 1000 + 900, 900) for i in range(3)],
            crs=27700,
        )
    )
    ctx = _ctx()
    ctx.geo = geo
    m = ward_map_frame(ctx, wards)
    svg = svg_choropleth(
        m,
        "rate_shown",
        label_col="ward_name",
        tooltip_cols={"Crimes": "tip_count", "Rate": "tip_rate", "Change": "tip_change"},
        k=2,
    )
    beta = re.search(r"<title>Beta.*?</title>", svg, re.S)
    assert beta, svg[:500]
    tip = beta.group(0)
    assert "&lt;10" in tip and "withheld" in tip
    for number in ("56.8", "21.4", "99.9", "56.78", ">3<", " 3 "):
        assert number not in tip and "56.8" not in svg
    assert "12.3" in svg  # the shown ward's rate is there (the test can fail)


@pytest.mark.parametrize("theme", ["domestic_abuse", "cse"])
def test_sensitive_page_settings_never_below_ten(theme):
    """The page-level settings a sensitive notebook gets, even from an unvalidated dict."""
    from sa_lib.pack.params import theme_disclosure

    params = {
        "disclosure": {"threshold": 1, "secondary": False, "suppress_zero": False},
        theme: {"disclosure": {"threshold": 2, "secondary": False}},
    }
    d = theme_disclosure(params, theme)
    assert d["threshold"] >= 10 and d["secondary"] is True


def test_district_share_beside_a_suppressed_district_count_is_withheld():
    """7 weapons offences in a district of 1,000 crimes: '0.7%' would give the 7 back."""
    from sa_lib.themes.place_display import mix_display, mix_table_args
    from sa_lib.themes.report import table_html

    mix = pd.DataFrame(
        {
            "crime_type": ["Possession of weapons", "Burglary"],
            "count_area": [0, 40],
            "share_area": [0.0, 40.0],
            "share_lower": [0.0, 30.1],
            "share_upper": [3.7, 50.2],
            "count_district": [7, 300],
            "share_district": [0.7, 30.0],
            "comparison": ["similar", "higher"],
        }
    )
    html = table_html(
        mix_display(mix, "North"), **mix_table_args("North"), threshold=10, secondary=False
    )
    weapons = html.split("<tr>")[2]
    assert "&lt;10" in weapons and "0.7" not in weapons
    assert "30.0" in html  # the unsuppressed district share is shown (the test can fail)


def test_top_n_by_rate_does_not_reveal_a_suppressed_ward_is_among_them():
    """head(3) of the rate ranking would list C (3 crimes) as a top-3 rate."""
    from sa_lib.themes.report import top_ranked

    top = top_ranked(_ward_table(), _ctx(secondary=False), 3, label_col="ward_name")
    assert top["ward_name"].tolist() == ["A", "B", "D"]
    assert _ward_table().head(3)["ward_name"].tolist() == ["C", "A", "B"]  # what head gave


def test_wider_comparison_hides_a_suppressed_district():
    """A district with 4 crimes: no 'above/below' label beside '<10', and not on the charts."""
    from conftest import collect_blocks

    from sa_lib.themes import overview
    from sa_lib.themes.render import block_html
    from sa_lib.themes.results import Figure, Table

    lads = {"A": ("Ayton", 4, 1_000), "B": ("Beeby", 300, 100_000), "C": ("Ceeby", 200, 80_000)}
    lads["D"] = ("Deeby", 250, 90_000)
    fc = pd.DataFrame(
        [
            {
                "lad_code": k,
                "lad_name": n,
                "month": m,
                "crime_type": "Robbery",
                "count": c // 3,
                "population": p,
            }
            for k, (n, c, p) in lads.items()
            for m in ("2025-10", "2025-11", "2025-12")
        ]
    )
    ctx = _ctx()
    ctx.force_counts = fc
    ctx.params = SimpleNamespace(
        comparison=SimpleNamespace(
            wider_area_name="Force", peers=["A", "C", "D"], funnel_overdispersion="additive"
        ),
        csp=SimpleNamespace(lad_codes=["B"]),
    )
    ctx.rate_per = 1000
    shown = collect_blocks(overview.show_wider_comparison, ctx)
    table = next(block_html(o) for o in shown if isinstance(o, Table))
    ayton = next(r for r in table.split("<tr>") if "Ayton" in r)
    assert "&lt;10" in ayton
    assert not any(w in ayton for w in ("above", "below", "similar", "higher", "lower"))
    figs = [o for o in shown if isinstance(o, Figure)]
    assert figs, "the charts were drawn"
    assert all("Ayton" not in " ".join(f.labels) for f in figs)
    assert any(
        "Ceeby" in " ".join(f.labels) for f in figs
    )  # the others are charted (the test can fail)
