"""Entry point for ``python -m scorecard``."""

import sys

from scorecard.cli import main

sys.exit(main())
