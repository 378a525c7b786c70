"""API keys, rate policies and usage records arrive with the request-path issue."""
