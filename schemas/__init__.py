"""Pandera DataFrameModels: one class per table, named after it."""
