"""The app's pages (run by `st.navigation` from streamlit_app.py) and their shared helpers (`_*.py`)."""
