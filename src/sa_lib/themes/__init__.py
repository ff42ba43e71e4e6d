"""Themes layer: what a theme notebook calls to assemble its page.

Summary tables, plain-English findings, report display helpers, charts, and one
module per theme (violence, domestic abuse, CSE, hot spots, place). Imports the
spatial, statistics and data layers and the shared root modules only.
"""
