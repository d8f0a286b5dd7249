"""Reading reports, normalizing them with an offset map, windows, and IOB2 conversion."""
