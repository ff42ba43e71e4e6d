import pandas as pd
import pytest

from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats import harm

WEIGHTS_CSV = (
    "crime_type,weight,source,mapping\n"
    "Burglary,10,Test table A,code 28 only\n"
    "Drugs,2,Test table A,\n"
    "Robbery,25.5,Test table B,\n"
)


def write(tmp_path, text, name="weights.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture
def crimes():
    return pd.DataFrame(
        {
            "area": ["A", "A", "B", "B"],
            "crime_type": ["Burglary", "Drugs", "burglary ", "Robbery"],
            "count": [3, 5, 1, 2],
            "population": [2000, 2000, 500, 500],
        }
    )


def test_load_weights_reads_and_records_source(tmp_path):
    clear_choices()
    w = harm.load_weights(write(tmp_path, WEIGHTS_CSV))
    assert list(w.columns) == ["crime_type", "weight", "source", "mapping"]
    assert w["weight"].tolist() == [10.0, 2.0, 25.5]
    assert w["mapping"].tolist() == ["code 28 only", "", ""]
    row = choices_table().set_index("choice").loc["Harm weights"]
    assert row["value"] == "weights.csv"
    assert "Test table A; Test table B" in row["reason"]
    assert row["source"] == "parameters"


def test_harm_weighted_hand_arithmetic(tmp_path, crimes):
    w = harm.load_weights(write(tmp_path, WEIGHTS_CSV))
    before = crimes.copy()
    out = harm.harm_weighted(crimes, w, population_col="population", per=1000)
    pd.testing.assert_frame_equal(crimes, before)  # input unchanged
    # 3*10, 5*2, 1*10 ("burglary " matched ignoring case/space), 2*25.5
    assert out["weight"].tolist() == [10, 2, 10, 25.5]
    assert out["harm"].tolist() == [30, 10, 10, 51]
    assert out["harm_share"].tolist() == pytest.approx([30 / 101, 10 / 101, 10 / 101, 51 / 101])
    assert out["crime_rate"].tolist() == pytest.approx([1.5, 2.5, 2.0, 4.0])
    assert out["harm_rate"].tolist() == pytest.approx([15, 5, 20, 102])
    assert out["count"].tolist() == [3, 5, 1, 2]  # counts kept alongside


def test_harm_weighted_accepts_dict_and_series(crimes):
    d = {"Burglary": 1, "Drugs": 0, "Robbery": 4}
    a = harm.harm_weighted(crimes, d)
    b = harm.harm_weighted(crimes, pd.Series(d))
    assert a["harm"].tolist() == b["harm"].tolist() == [3, 0, 1, 8]
    assert "crime_rate" not in a.columns


def test_offence_code_key(tmp_path):
    p = write(tmp_path, "offence_code,weight,source\n28E,7,T\n92A,3,T\n")
    w = harm.load_weights(p)
    d = pd.DataFrame({"code": ["28e", "92A"], "count": [1, 2]})
    assert harm.harm_weighted(d, w, type_col="code")["harm"].tolist() == [7, 6]


def test_drop_unknown_warns_and_records(crimes):
    clear_choices()
    with pytest.warns(UserWarning, match="Dropped 1 row"):
        out = harm.harm_weighted(crimes, {"Burglary": 1, "Drugs": 1}, on_unknown="drop")
    assert out["crime_type"].tolist() == ["Burglary", "Drugs", "burglary "]
    assert "Harm: crime types without a weight" in choices_table()["choice"].tolist()


def test_template_lists_police_uk_types_with_no_weights():
    t = harm.weights_template()
    assert tuple(t["crime_type"]) == harm.POLICE_UK_CRIME_TYPES
    assert len(harm.POLICE_UK_CRIME_TYPES) == 14
    assert t["weight"].isna().all()
    assert {"source", "mapping"} <= set(t.columns)


def test_the_blank_template_is_refused_until_filled_in():
    # The template is for a partnership's own weights (the cited default is data/harm):
    # loaded blank it fails, naming the first blank row and how to fill it in.
    with pytest.raises(ValueError, match="blank weight"):
        harm.load_weights(harm.TEMPLATE_PATH)


# ---- errors (one broken fixture per message) ------------------------------


def test_error_unknown_crime_types_listed(crimes):
    with pytest.raises(ValueError, match=r"2 crime type\(s\) with no harm weight") as e:
        harm.harm_weighted(crimes, {"Burglary": 1})
    msg = str(e.value)
    assert "'Drugs'" in msg and "'Robbery'" in msg and "first at row 1" in msg
    assert "Fix: add a row for each" in msg


def test_error_missing_weight(tmp_path):
    p = write(tmp_path, "crime_type,weight,source\nBurglary,10,T\nDrugs,,T\n")
    with pytest.raises(ValueError, match=r"1 blank weight\(s\); the first is for 'Drugs' at row 1"):
        harm.load_weights(p)


def test_error_negative_weight(tmp_path):
    p = write(tmp_path, "crime_type,weight,source\nBurglary,10,T\nDrugs,-1,T\n")
    with pytest.raises(ValueError, match=r"must not be negative; found -1 for 'Drugs' at row 1"):
        harm.load_weights(p)


def test_error_non_numeric_weight(tmp_path):
    p = write(tmp_path, "crime_type,weight,source\nBurglary,ten,T\n")
    with pytest.raises(ValueError, match=r"must be numeric; found 'ten' for 'Burglary'"):
        harm.load_weights(p)


def test_error_missing_source(tmp_path):
    p = write(tmp_path, "crime_type,weight,source\nBurglary,10,\n")
    with pytest.raises(ValueError, match=r"1 weight\(s\) with no source"):
        harm.load_weights(p)


def test_missing_source_can_be_a_warning(tmp_path):
    p = write(tmp_path, "crime_type,weight\nBurglary,10\n")
    with pytest.warns(UserWarning, match="no source"):
        w = harm.load_weights(p, require_source=False)
    assert w["source"].tolist() == [""]


def test_error_duplicate_key(tmp_path):
    p = write(tmp_path, "crime_type,weight,source\nBurglary,10,T\nBURGLARY,11,T\n")
    with pytest.raises(ValueError, match="lists 'Burglary' \\(row 0\\) more than once"):
        harm.load_weights(p)


def test_error_no_key_column(tmp_path):
    p = write(tmp_path, "type,weight,source\nBurglary,10,T\n")
    with pytest.raises(ValueError, match="needs a key column 'crime_type'"):
        harm.load_weights(p)


def test_error_file_not_found(tmp_path):
    with pytest.raises(ValueError, match="no such harm-weights file"):
        harm.load_weights(tmp_path / "nope.csv")


def test_error_weights_required(crimes):
    with pytest.raises(ValueError, match="weights must be a DataFrame"):
        harm.harm_weighted(crimes, None)


def test_error_zero_population(crimes):
    bad = crimes.assign(population=[2000, 0, 500, 500])
    with pytest.raises(ValueError, match=r"is 0 at row 1"):
        harm.harm_weighted(
            bad, {"Burglary": 1, "Drugs": 1, "Robbery": 1}, population_col="population"
        )


def test_error_column_clash(crimes):
    with pytest.raises(ValueError, match="already has column\\(s\\) 'weight'"):
        harm.harm_weighted(crimes.assign(weight=1), {"Burglary": 1, "Drugs": 1, "Robbery": 1})


def test_error_negative_count(crimes):
    bad = crimes.assign(count=[3, -5, 1, 2])
    with pytest.raises(ValueError, match=r"must not be negative; found -5"):
        harm.harm_weighted(bad, {"Burglary": 1, "Drugs": 1, "Robbery": 1})
