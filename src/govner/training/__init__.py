"""Model training (issue 3: not implemented yet)."""
