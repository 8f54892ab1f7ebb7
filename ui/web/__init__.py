"""The Streamlit surface: `trustdesk ui` runs ui/web/app.py."""
