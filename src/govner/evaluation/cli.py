"""``govner evaluate``: command-line wiring (filled in by the evaluation-report work)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the evaluation subcommands to the ``govner`` parser."""
