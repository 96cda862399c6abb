"""Connectors: one module per outside publication the scorecard reads as published."""
