"""Screenshots of the first screen of the front page, the board paper and the summary.

Made with headless Chromium (``tests/browser_cdp.py``: network blocked, fresh profile)
at 1366x768 (a laptop) and 390x844 (a phone), saved as small palette PNGs for review
and committed under ``tests/artifacts/issue21/``. Build a pack first, for example the
sample pack:

    .venv/bin/python scripts/golden.py --keep /tmp/pack
    .venv/bin/python scripts/screenshots.py /tmp/pack/outputs/huntingdonshire_2025q4

Prints each file written with its size.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("index", "board_paper", "summary")
#: (name, width, height) of the screens shot.
SCREENS = (("1366", 1366, 768), ("390", 390, 844))


def small_png(data: bytes) -> bytes:
    """A PNG as a 256-colour palette image, optimised (a first screen is mostly text)."""
    from PIL import Image

    img = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pack", type=Path, help="a built pack folder (holding index.html)")
    ap.add_argument(
        "--out", type=Path, default=ROOT / "tests" / "artifacts" / "issue21", help="where to save"
    )
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests"))
    import browser_cdp

    missing = [p for p in PAGES if not (args.pack / f"{p}.html").exists()]
    if missing or browser_cdp.chromium_path() is None:
        print(f"missing: {missing or 'Chromium'}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    browser = browser_cdp.Browser()
    try:
        for page in PAGES:
            for name, width, height in SCREENS:
                browser.open(args.pack / f"{page}.html", width, height)
                path = args.out / f"{page}_{name}.png"
                path.write_bytes(small_png(browser.screenshot()))
                print(
                    f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                    f"{path.stat().st_size // 1024} KiB"
                )
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
