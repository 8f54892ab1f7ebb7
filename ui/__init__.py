"""The surfaces: thin adapters over `bot`. Nothing imports `ui`."""
