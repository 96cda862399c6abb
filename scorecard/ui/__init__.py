"""The Streamlit-aware layer: frame, selection, cached reads, and one module of parts per page."""
