"""The keys and usage pages of the portal (routes in apikeys/urls.py)."""
