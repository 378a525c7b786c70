"""The tenant portal's governance pages: deprecations affecting you, changelogs, webhooks."""
