"""The console's admin site: its name in the header, and the index in the sections staff think in.

Django groups the admin index by Python app (`tenants`, `apikeys`, `oauth2_provider`, `axes`, ...),
which is how the code is laid out, not how support and governance staff look for things. The index
and the sidebar list these sections instead, each model under the name staff use, and the tables
the console keeps for itself (audit chain heads, usage flushes, OAuth tokens, sign-in lockouts,
beat schedules) apart at the end. A model this table doesn't name still shows, under "Other", so
registering an admin never hides it. An app's own page (/admin/<app>/) keeps Django's list.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse

# (section, [(app_label.ModelName, the name staff use)]), in the order of the index.
SECTIONS = [
    (
        "Tenants and people",
        [
            ("tenants.Tenant", "Tenants"),
            ("tenants.Membership", "Members"),
            ("tenants.Invitation", "Invitations"),
            ("tenants.User", "People (staff and members)"),
            ("auth.Group", "Staff groups"),
        ],
    ),
    (
        "Partner access",
        [
            ("apikeys.ApiKey", "API keys"),
            ("tenants.Application", "OAuth clients"),
            ("apikeys.UsageRecord", "Usage (hourly)"),
        ],
    ),
    (
        "API catalog and reviews",
        [
            ("governance.Api", "APIs"),
            ("governance.ApiVersion", "API versions"),
            ("governance.SpecRevision", "Spec revisions"),
            ("governance.Review", "Reviews"),
            ("governance.Waiver", "Waivers"),
        ],
    ),
    (
        "Deprecations",
        [
            ("governance.DeprecationSchedule", "Deprecation schedules"),
            ("governance.DeprecationExemption", "Exemptions"),
            ("governance.MigrationLedgerEntry", "Tenant migration ledger"),
            ("governance.DeprecationNotice", "Notices sent"),
        ],
    ),
    (
        "Webhooks",
        [
            ("governance.WebhookEndpoint", "Webhook endpoints"),
            ("governance.WebhookDelivery", "Webhook deliveries"),
        ],
    ),
    ("Audit", [("tenants.AuditEvent", "Audit log")]),
    (
        "Internals (kept by the console)",
        [
            ("tenants.AuditChainHead", "Audit chain heads"),
            ("apikeys.UsageFlush", "Usage flushes"),
            ("oauth2_provider.AccessToken", "OAuth access tokens"),
            ("oauth2_provider.RefreshToken", "OAuth refresh tokens"),
            ("oauth2_provider.Grant", "OAuth authorization codes"),
            ("oauth2_provider.IDToken", "OpenID Connect ID tokens"),
            ("axes.AccessAttempt", "Sign-in lockouts"),
            ("axes.AccessFailureLog", "Failed sign-ins"),
            ("axes.AccessLog", "Sign-ins"),
            ("django_celery_beat.PeriodicTask", "Periodic tasks"),
            ("django_celery_beat.CrontabSchedule", "Crontab schedules"),
            ("django_celery_beat.IntervalSchedule", "Interval schedules"),
            ("django_celery_beat.ClockedSchedule", "One-off schedules"),
            ("django_celery_beat.SolarSchedule", "Solar schedules"),
        ],
    ),
]
OTHER = "Other"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


class ConsoleAdminSite(admin.AdminSite):
    site_header = "API governance console"
    site_title = "API governance console admin"
    index_title = "Administration"

    def get_app_list(self, request, app_label=None):
        if app_label is not None:
            return super().get_app_list(request, app_label)
        models = {
            f"{app['app_label']}.{model['object_name']}": model
            for app in self._build_app_dict(request).values()
            for model in app["models"]
        }
        sections = []
        for name, members in SECTIONS:
            listed = []
            for key, label in members:
                model = models.pop(key, None)
                if model is not None:
                    listed.append({**model, "name": label})
            if listed:
                sections.append(self._section(name, listed))
        if models:
            sections.append(self._section(OTHER, sorted(models.values(), key=lambda m: m["name"])))
        return sections

    def _section(self, name, models):
        return {
            "name": name,
            "app_label": _slug(name),
            # A section is no app with a page of its own: its caption points at itself on the index
            # (a URL that is no prefix of any admin page, so the sidebar never marks it current).
            "app_url": reverse("admin:index", current_app=self.name) + "#" + _slug(name),
            "has_module_perms": True,
            "models": models,
        }


class ConsoleAdminConfig(AdminConfig):
    """django.contrib.admin with ConsoleAdminSite as `admin.site` (INSTALLED_APPS names this)."""

    default_site = "config.admin_site.ConsoleAdminSite"
