"""``python -m govner`` (also what ``torchrun -m govner`` runs)."""

import sys

from govner.cli import main

sys.exit(main())
