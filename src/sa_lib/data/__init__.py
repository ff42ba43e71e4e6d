"""Data layer: read and shape inputs.

police.uk ingest and the columnar store, force extracts (schema, mapping,
personal-data refusal), CSP geography and reference data, partner data,
assessment periods, recording-practice annotations, the SYNTHETIC generators,
data-quality checks and counts by period and area. Imports only the shared
root modules (validation, config, choices, style).
"""
