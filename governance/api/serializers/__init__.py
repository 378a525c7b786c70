"""Serializers of the governance API, one module per resource."""
