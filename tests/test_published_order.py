"""Published tables read in the order their captions promise (issue 21), on the golden pack.

"Top wards by rate" tables were not in rate order (a ward withheld elsewhere was moved
to the end of the top ten). The golden fixture holds every published cell of the
sample pack, so the order is checked without building it.
"""

import json

from golden import FIXTURE


def _by_rate_tables():
    snap = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for page, tables in snap["tables"].items():
        for t in tables:
            if t["caption"].startswith("Top wards by"):
                yield page, t


def test_top_wards_by_rate_tables_are_in_rate_order():
    found = 0
    for page, t in _by_rate_tables():
        col = next(i for i, h in enumerate(t["header"]) if h.startswith("Rate per"))
        rates = [r[col] for r in t["rows"]]
        assert all(isinstance(v, int | float) for v in rates), (page, t["caption"], rates)
        assert rates == sorted(rates, reverse=True), (page, t["caption"], rates)
        found += 1
    assert found >= 3, "overview, violence and domestic abuse each have a top-wards table"
