"""Spatial layer: grids, kernel density, Gi* hot spots, emerging hot spots and maps.

Imports the statistics and data layers and the shared root modules only.
"""
