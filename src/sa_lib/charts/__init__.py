"""Charts layer: the standard chart of each statistic and map, one module per chart family.

Sits above ``stats`` and ``spatial`` (it draws their results) and below ``themes``
(which places the charts on a page). matplotlib is imported inside each drawing
function, so importing a statistic or a spatial method never loads it. Every
function returns a Figure (or an SVG string) and never shows it.
"""
