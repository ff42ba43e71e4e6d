"""Statistics layer: one statistic per module.

Rates and intervals, change tests, trends, SPC, concentration, comparison with
wider areas, harm weighting, event-day effects, repeat victimisation, the
composite risk index, disclosure control, corroboration with partner data,
night-time economy tests and victim profiles. Imports the data layer and the
shared root modules only.
"""
