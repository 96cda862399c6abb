"""The Streamlit-aware layer of the app: frame, selection, cached reads, components."""
