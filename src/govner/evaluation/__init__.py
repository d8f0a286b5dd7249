"""Evaluation reports (issue 5: not implemented yet)."""
