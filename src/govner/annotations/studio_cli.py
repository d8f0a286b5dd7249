"""``govner studio`` and ``govner select``: command-line wiring (filled in by the Label Studio work)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the Label Studio subcommands to the ``govner`` parser."""
