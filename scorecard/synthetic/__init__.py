"""The synthetic demo: made-up values, events and commentary, always labelled synthetic."""
