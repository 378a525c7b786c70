"""Outgoing webhooks: Standard Webhooks signing (signing.py), the address policy that keeps
deliveries off internal networks (ssrf.py) and the HTTP transport that connects only to the
address it checked (transport.py). The services in governance/services/webhooks.py use them."""
