"""Views of the governance API, one module per resource (routes in governance/api/urls.py)."""
