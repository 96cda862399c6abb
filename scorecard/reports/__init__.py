"""What the Board reads: scorecard rows, exceptions, bricks, benefits, charts, the pack."""
