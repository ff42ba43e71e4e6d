import pandas as pd
import pytest

from sa_lib.charts.profiles import plot_age_sex
from sa_lib.stats.profiles import age_sex_table


def test_age_sex_table_by_hand_with_unknowns():
    df = pd.DataFrame(
        {
            "victim_age_band": ["18-24", "18-24", "25-34", None],
            "victim_sex": ["Female", "Male", None, "Female"],
        }
    )
    t = age_sex_table(df, age_bands=["18-24", "25-34"])
    assert t.columns.tolist() == ["age_band", "Female", "Male", "Unknown", "Total"]
    got = t.set_index("age_band").to_dict("index")
    assert got["18-24"] == {"Female": 1, "Male": 1, "Unknown": 0, "Total": 2}
    assert got["25-34"] == {"Female": 0, "Male": 0, "Unknown": 1, "Total": 1}
    assert got["Not recorded"] == {"Female": 1, "Male": 0, "Unknown": 0, "Total": 1}
    assert got["Total"] == {"Female": 2, "Male": 1, "Unknown": 1, "Total": 4}


def test_age_sex_table_needs_columns():
    with pytest.raises(ValueError, match="victim_sex"):
        age_sex_table(pd.DataFrame({"victim_age_band": ["18-24"]}))


def test_plot_hides_suppressed_bars_and_tick_values():
    t = age_sex_table(
        pd.DataFrame(
            {
                "victim_age_band": ["18-24"] * 30 + ["25-34"] * 3,
                "victim_sex": ["Female"] * 30 + ["Male"] * 3,
            }
        ),
        age_bands=["18-24", "25-34"],
    )
    hidden = pd.DataFrame(False, index=t.index, columns=t.columns)
    hidden.loc[1, "Male"] = True
    fig = plot_age_sex(t, hidden)
    ax = fig.axes[0]
    widths = sorted(abs(p.get_width()) for p in ax.patches)
    assert 3 not in widths, "a suppressed count must not be drawn as a bar"
    assert ax.get_xticks().size == 0
