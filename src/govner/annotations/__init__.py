"""Label Studio annotation files: loading, writing and validation."""
