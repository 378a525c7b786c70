"""The self-service pages (/portal/): thin views — a form validates, a service writes.

base.py holds what every page shares (the portal principal, tenant scoping, permission checks);
one module per resource: account (sign in, tenant switcher, home), members, invitations, clients,
audit.
"""
