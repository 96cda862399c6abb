"""The iCAN outcomes-framework scorecard."""

__version__ = "0.1.0"
