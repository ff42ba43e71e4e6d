"""Personal data in the forms that slipped through: "SURNAME, Forename" and "J. Smith"
names, digit-for-letter ids, number words in addresses, and postcodes, phone and NI
numbers hidden by full-width, zero-width, look-alike or spaced-out characters."""

from __future__ import annotations

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.data.personal_data import find_personal_data

FINE = {
    "victim_id": ["VB-101", "SYN-7ee118300c", "HB-0001"],
    "outcome": ["Charged", "Unable to prosecute", "Under investigation"],
    "location": ["On or near High Street", "On or near Church Lane", "Supermarket"],
}

CASES = [
    ("outcome", "SMITH, John"),
    ("outcome", "J. Smith"),
    ("location", "home of J. Smith"),
    ("victim_id", "jsmith1985"),
    ("victim_id", "J0hnSm1th"),
    ("location", "twelve Acacia Avenue"),
    ("location", "ＰＥ２９ ３ＡＢ"),  # full-width
    ("location", "PE2\u200b9 3AB"),  # zero-width space
    ("location", "Р\u041529 3АВ"),  # Cyrillic look-alikes
    ("location", "P E 2 9 3 A B"),  # letter-spaced
    ("location", "call 0 7 7 0 0 9 0 0 1 2 3"),
    ("location", "NI ＡＢ１２３４５６Ｃ"),
]


@pytest.mark.parametrize(("column", "value"), CASES)
def test_personal_data_in_hiding_is_found(column, value):
    df = pd.DataFrame({column: [*FINE[column], value]})
    hits = find_personal_data(df)
    assert hits["column"].tolist() == [column], (value, hits)
    assert int(hits["first_row"].iloc[0]) == len(FINE[column])


def test_the_clean_values_and_the_shipped_synthetic_extract_pass():
    assert find_personal_data(pd.DataFrame(FINE)).empty
    synth = pd.read_csv(config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz", dtype=str)
    assert find_personal_data(synth).empty
