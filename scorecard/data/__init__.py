"""Data in and out: the store, extract loads, publications, people's records, exports."""
