"""Store shapes and a direct theme builder for the data-shape matrix (tests/test_data_shapes.py).

A *shape* is a store made from real police.uk rows the tests ship: the Essex 2018
slice (``tests/fixtures/essex_2018``, January to June 2018, LSOA 2011 codes, a
1-in-10 sample) and the Cambridgeshire sample (``data/sample/police_uk``, 2024-2025,
LSOA 2021 codes). A *cell* is one shape x period x theme: it either is refused by
``sa check`` (:func:`sa_lib.pack.params.load_params`, what ``sa check`` runs) before
any notebook runs, or the theme's ``build(ctx)`` returns a result. No kernel is
started: each theme's ``build`` is called as its notebook calls it.
"""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path

import yaml

from sa_lib import config
from sa_lib.pack.direct import theme_builders

ESSEX = config.ROOT / "tests" / "fixtures" / "essex_2018"
SAMPLE = config.SAMPLE_DIR / "police_uk"

#: Each theme's builder module, read from the notebooks (they call ``<module>.build(ctx)``).
BUILDERS = theme_builders()

#: The default themes a CSP with no sample-only inputs can run.
PUBLIC_THEMES = [
    "summary",
    "overview",
    "hotspots",
    "place_profile",
    "violence",
    "outcomes",
    "wards",
]


#: The Essex slice's months (2018, LSOA 2011 codes).
ESSEX_ALL = ("2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06")

#: Store shapes from the Essex slice: months ingested (conftest.py ``essex_stores``).
ESSEX_SHAPES = {
    "one_month": ("2018-03",),
    "first_period": ESSEX_ALL,
    "gap": ("2018-01", "2018-02", "2018-04", "2018-05", "2018-06"),
}


def essex_months(*months: str) -> list[Path]:
    """The Essex slice's monthly folders, e.g. ``essex_months("2018-01", "2018-03")``."""
    return [ESSEX / "police_uk" / m for m in months]


def sample_months(*months: str) -> list[Path]:
    """The Cambridgeshire sample's street files (outcomes and searches too) for these months."""
    return [SAMPLE / m for m in months]


def make_store(root: Path, sources: list[Path]) -> Path:
    """Ingest ``sources`` into a new store under ``root``."""
    from sa_lib.data.ingest import ingest

    store = root / "store"
    ingest(sources, store)
    return store


def essex_params(
    root: Path, store: Path, period: str, themes: list[str], *, csp=("Maldon", "E07000074")
) -> Path:
    """A parameters file for an Essex CSP from the fixture's template (no sample-only inputs)."""
    p = yaml.safe_load((ESSEX / "template.yaml").read_text())
    p["title"] = f"{csp[0]} Community Safety Partnership strategic assessment"
    p["csp"] = {"name": csp[0], "slug": csp[0].lower().replace(" ", "_"), "lad_codes": [csp[1]]}
    p["period"] = period
    p["themes"] = list(themes)
    p["data"]["store"] = str(store)
    for k in ("boundaries", "population", "deprivation"):
        p["data"][k] = str(config.ROOT / p["data"][k])
    p["statistics"]["permutations"] = 19
    path = root / f"{p['csp']['slug']}_{period.replace('/', '_')}.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


def sample_params(root: Path, store: Path, period: str, themes: list[str] | None = None) -> Path:
    """The shipped Huntingdonshire parameters on another store and period."""
    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    p["period"] = period
    if themes is not None:
        p["themes"] = list(themes)
    p["data"]["store"] = str(store)
    path = root / f"huntingdonshire_{period.replace('/', '_')}.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


def cell(params_path: Path, theme: str):
    """One matrix cell: ``("refused", message)`` from ``sa check``, or ``("built", result)``.

    Anything else (an exception from ``open_context`` or ``build``) propagates: a crash
    is a failure.
    """
    from sa_lib.pack.context import open_context
    from sa_lib.pack.params import ParameterError, load_params

    try:
        load_params(params_path)
    except ParameterError as e:
        return "refused", str(e)
    mod = importlib.import_module(f"sa_lib.themes.{BUILDERS[theme]}")
    return "built", mod.build(open_context(params_path, theme))


def _laid_out_only(fig):
    """``png_bytes`` without the pixels: the figure is laid out as for painting
    (:func:`sa_lib.charts.png.lay_out`) and no PNG is made, so no crop box is needed."""
    from sa_lib.charts.png import lay_out

    if fig.axes or fig.lines:
        lay_out(fig, box=False)
    return None


@contextlib.contextmanager
def no_pixels():
    """Within the block every chart is made and laid out but not painted (``Figure.png`` is
    None): for tests that read results (tables, findings, availability, alt text), never a
    picture. Painting is most of a chart's cost. Every chart is still drawn by its own code
    and laid out, so a chart that cannot be drawn still fails; the pixels of the sample's
    charts are checked by the packs that publish them (``tests/test_direct.py``,
    ``tests/test_alt_numbers.py``, the Essex fan-out in ``tests/test_fanout.py``).
    """
    from sa_lib.charts import png

    real = png.png_bytes
    png.png_bytes = _laid_out_only
    try:
        yield
    finally:
        png.png_bytes = real


@contextlib.contextmanager
def pack_without_pixels():
    """Build themes as `sa run-all` builds a pack (one per-pack memo,
    :func:`sa_lib.memo.pack_scope`), with charts laid out but not painted (:func:`no_pixels`).

    For the shape matrix, whose checks read each result's tables, findings and
    availability: painting is the most repeated work of the matrix.
    """
    from sa_lib import memo

    with no_pixels(), memo.pack_scope():
        yield


def build_cell(params_path: Path, themes) -> dict:
    """Every theme of one matrix cell, as `sa run-all` builds a pack (:func:`pack_without_pixels`):
    ``{theme: cell(params_path, theme)}``, stopping at a refusal of `sa check` (it refuses
    the whole file, every theme alike)."""
    out = {}
    with pack_without_pixels():
        for theme in themes:
            out[theme] = cell(params_path, theme)
            if out[theme][0] == "refused":
                break
    return out


def check_built(result) -> dict:
    """What every built cell must satisfy; returns the result's JSON.

    Every measure not computed has a plain reason; the result serialises; no finding
    is drawn from a month the store does not hold (no "normal range 0 to").
    """
    for measure, reason in result.availability.items():
        assert isinstance(reason, str) and len(reason) > 20, (measure, reason)
    js = result.to_json()
    texts = [f["text"] if isinstance(f, dict) else str(f) for f in js.get("findings", [])]
    assert not [t for t in texts if "normal range 0 to" in t], texts
    return js


def relabel_year(src_months: list[str], from_year: int, to_year: int, root: Path) -> list[Path]:
    """The sample's street files of ``src_months`` rewritten as another year of the same force.

    Only the ``Month`` column changes: a store can then hold older years of the force
    beside the sample (the rows are the sample's, so this is for shape tests only).
    """
    import gzip

    out = []
    for m in src_months:
        new = m.replace(str(from_year), str(to_year), 1)
        folder = root / new
        folder.mkdir(parents=True, exist_ok=True)
        src = SAMPLE / m / f"{m}-cambridgeshire-street.csv.gz"
        text = gzip.open(src, "rt", encoding="utf-8").read().replace(f",{m},", f",{new},")
        dst = folder / f"{new}-cambridgeshire-street.csv.gz"
        with gzip.open(dst, "wt", encoding="utf-8") as f:
            f.write(text)
        out.append(folder)
    return out


def published(result) -> dict:
    """What a page publishes (every table cell, finding and availability), for comparisons.

    ``result`` is a theme result, or the JSON a pack published for one
    (``results/<theme>.json``); either is compared as that JSON reads back.
    """
    import json

    js = json.loads(json.dumps(result if isinstance(result, dict) else result.to_json()))
    return {
        "tables": [(t["caption"], t["columns"], t["shown"]) for t in js["tables"]],
        "findings": [f["text"] for f in js["findings"]],
        "availability": js["availability"],
        "synthetic": js["synthetic"],
    }


def mixed_vintage(month: str, root: Path) -> Path:
    """The Essex slice's ``month`` with LSOA 2011 and 2021 codes mixed inside one file.

    Every other row whose LSOA 2011 was split in 2021 gets the code of one of its LSOA
    2021 children (ONS lookup); only the code changes, so the CSP's rows must be counted
    as before. Returns the month's folder; how many rows changed is in ``changed.txt``.
    """
    import csv
    import gzip
    import io

    import pandas as pd

    lk = pd.read_parquet(config.NATIONAL_DIR / "lsoa11_lsoa21.parquet")
    split = lk[lk["change_code"] == "S"].drop_duplicates("lsoa11_code")
    child = dict(zip(split["lsoa11_code"], split["lsoa21_code"], strict=True))
    src = ESSEX / "police_uk" / month / f"{month}-essex-street.csv.gz"
    rows = list(csv.reader(io.StringIO(gzip.open(src, "rt", encoding="utf-8").read())))
    head, body = rows[0], rows[1:]
    col = head.index("LSOA code")
    changed = 0
    for i, r in enumerate(body):
        if r[col] in child and i % 2 == 0:
            r[col] = child[r[col]]
            changed += 1
    folder = root / month
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([head, *body])
    with gzip.open(folder / f"{month}-essex-street.csv.gz", "wt", encoding="utf-8") as f:
        f.write(buf.getvalue())
    (root / "changed.txt").write_text(str(changed))
    return folder
