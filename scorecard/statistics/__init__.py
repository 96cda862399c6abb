"""Statistics: Making Data Count SPC, sustainability, shifts, benchmarks, quality, disclosure."""
