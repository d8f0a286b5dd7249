"""Batch prediction (issue 4: not implemented yet)."""
