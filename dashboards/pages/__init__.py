"""Dash Pages: one module per page, imported by Dash when the app is created (see dashboards.app)."""
