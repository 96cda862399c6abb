"""The commands at the door: each reads its arguments, opens the store, calls the core, reports."""
