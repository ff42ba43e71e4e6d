"""Where a map's furniture goes: label placement without overlaps, scale-bar lengths.

Pure geometry in the map's own coordinates (no drawing, no matplotlib): the maps in
:mod:`sa_lib.charts.maps` and :mod:`sa_lib.charts.svg_maps` use it.

Examples
--------
>>> [lab["name"] for lab in place_labels([(0, 0, "Alpha", 2.0), (300, 0, "Beta", 1.0)])]
['Alpha', 'Beta']
"""

from __future__ import annotations

import math

__all__ = ["place_labels", "wrap_name", "nice_length"]


def nice_length(max_len: float) -> float:
    """The longest 1, 2 or 5 x 10^n not over ``max_len`` (a scale bar's length).

    Examples
    --------
    >>> nice_length(2600.0), nice_length(740.0)
    (2000, 500)
    """
    exp = 10 ** math.floor(math.log10(max_len))
    for m in (5, 2, 1):
        if m * exp <= max_len:
            return m * exp
    return exp


def wrap_name(name: str, width: int = 16) -> list[str]:
    """A long area name split onto two lines at a natural break (" & ", ", ", " and ", ...).

    Examples
    --------
    >>> wrap_name("Huntingdon North and Hartford")
    ['Huntingdon North', 'and Hartford']
    """
    if len(name) <= width:
        return [name]
    for sep in (" & ", ", ", " and ", "-cum-", " "):
        if sep in name:
            i = name.find(sep, len(name) // 3)
            if i < 0:
                i = name.find(sep)
            keep = sep.strip() if sep.strip() in ("&", "and") else sep.rstrip()
            first = name[:i] + (keep if keep in (",", "-cum-") else "")
            rest = name[i + len(sep) :]
            if keep in ("&", "and"):
                rest = f"{keep} {rest}"
            return [first.strip(), rest.strip()]
    return [name]


def place_labels(
    items: list[tuple[float, float, str, float]], char_w: float = 5.6, line_h: float = 11
) -> list[dict]:
    """Place map labels so that none overlaps another (largest areas first).

    Each label tries its point, then nearby positions (joined to the point by a
    leader line); a label that fits nowhere becomes a number at its point, listed in
    a key under the map. Long names wrap onto two lines.

    Parameters
    ----------
    items : list of (x, y, name, area)
        Label anchor points in SVG coordinates, the text, and a priority (area).

    Returns
    -------
    list of dict
        ``x``, ``y`` (text anchor), ``lines``, ``name``, ``leader`` (``((x0, y0), (x1, y1))``
        or None), ``number`` (int when shown as a number) and ``box``.

    Examples
    --------
    >>> labs = place_labels([(100, 100, "Alpha", 5.0), (102, 101, "Beta", 1.0)])
    >>> [(lab["name"], lab["leader"] is not None) for lab in labs]
    [('Alpha', False), ('Beta', True)]
    >>> a, b = labs[0]["box"], labs[1]["box"]
    >>> a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    True
    """

    def box(x, y, lines):
        w = max(len(t) for t in lines) * char_w + 4
        return (x - w / 2, y - line_h * 0.85, x + w / 2, y + line_h * (len(lines) - 1) + 3)

    def free(b, boxes):
        return all(b[2] <= o[0] or o[2] <= b[0] or b[3] <= o[1] or o[3] <= b[1] for o in boxes)

    boxes: list[tuple] = []
    out = []
    number = 0
    for x, y, name, _ in sorted(items, key=lambda t: -t[3]):
        lines = wrap_name(name)
        h = line_h * len(lines)
        w = max(len(t) for t in lines) * char_w
        placed = None
        for dx, dy in [
            (0, 0), (0, -h - 2), (0, h + 2), (w * 0.6, 0), (-w * 0.6, 0),
            (w * 0.5, -h - 2), (-w * 0.5, -h - 2), (w * 0.5, h + 2), (-w * 0.5, h + 2),
            (0, -2 * h - 4), (0, 2 * h + 4),
        ]:  # fmt: skip
            b = box(x + dx, y + dy, lines)
            if free(b, boxes):
                placed = (
                    x + dx,
                    y + dy,
                    b,
                    None if dx == dy == 0 else ((x, y), (x + dx, y + dy - 3)),
                )
                break
        if placed is None:
            # A number keyed under the map: at its point, or the nearest free spot beside it.
            number += 1
            lines = [str(number)]
            nx, ny, leader = x, y, None
            step_w, step_h = len(lines[0]) * char_w + 6, line_h + 2
            for dx, dy in [
                (0, 0), (step_w, 0), (-step_w, 0), (0, -step_h), (0, step_h),
                (step_w, -step_h), (-step_w, -step_h), (step_w, step_h), (-step_w, step_h),
            ]:  # fmt: skip
                if free(box(x + dx, y + dy, lines), boxes):
                    nx, ny = x + dx, y + dy
                    leader = None if dx == dy == 0 else ((x, y), (nx, ny - 3))
                    break
            b = box(nx, ny, lines)
            out.append(
                {
                    "x": nx,
                    "y": ny,
                    "lines": lines,
                    "name": name,
                    "leader": leader,
                    "number": number,
                    "box": b,
                }
            )
        else:
            px, py, b, leader = placed
            out.append(
                {
                    "x": px,
                    "y": py,
                    "lines": lines,
                    "name": name,
                    "leader": leader,
                    "number": None,
                    "box": b,
                }
            )
        boxes.append(b)
    return out
