"""Reading reports, normalizing them with an offset map, windows, IOB2 conversion, MSRA, and Label Studio files."""
