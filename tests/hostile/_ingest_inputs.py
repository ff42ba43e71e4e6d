"""Small police.uk-shaped inputs for the hostile ingest tests (no conftest, so merges stay trivial)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
FORCE = "Cambridgeshire Constabulary"


def street_rows(n: int, month: str = "2024-01", force: str = FORCE, start: int = 0) -> list[str]:
    """``n`` distinct street rows (every fifth is anti-social behaviour with no Crime ID)."""
    rows = []
    for i in range(start, start + n):
        cid = "" if i % 5 == 4 else hashlib.sha256(f"{month}{force}{i}".encode()).hexdigest()
        kind = "Anti-social behaviour" if not cid else "Burglary"
        rows.append(
            f"{cid},{month},{force},{force},-0.{180 + i % 50:03d},52.{330 + i % 60:03d},"
            f"On or near High Street,E010{18200 + i % 90:05d},Huntingdonshire 010A,{kind},,"
        )
    return rows


def street_csv(n: int = 10, month: str = "2024-01", force: str = FORCE) -> str:
    return "\n".join([HEADER, *street_rows(n, month, force)]) + "\n"


def write_street(
    root: Path, text: str, month: str = "2024-01", slug: str = "cambridgeshire"
) -> Path:
    p = root / month / f"{month}-{slug}-street.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def snapshot(store: Path) -> dict[str, str]:
    """Every file in the store (hidden ones too) -> its SHA-256, to prove it unchanged."""
    if not store.exists():
        return {}
    return {
        p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name != ".ingest.lock"
    }


def log(store: Path) -> dict:
    return json.loads((store / "ingest_log.json").read_text())
