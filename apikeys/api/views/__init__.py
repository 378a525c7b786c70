"""Views of the keys API, one module per resource (routes in apikeys/api/urls.py)."""
