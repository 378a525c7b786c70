"""Forms of the keys pages: they validate input; apikeys.services writes."""

from django import forms
from django.conf import settings

from apikeys.models import ApiKey
from apikeys.services import ROTATION_OVERLAPS
from tenants.roles import grantable_scopes

OVERLAP_LABELS = {
    "now": "Stop the old key now",
    "1h": "Keep the old key working for 1 hour",
    "24h": "Keep the old key working for 24 hours",
    "7d": "Keep the old key working for 7 days",
}


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where the key is used, e.g. “billing sync (prod)”.")
    environment = forms.ChoiceField(
        choices=ApiKey.Environment.choices, initial=ApiKey.Environment.LIVE, widget=forms.RadioSelect
    )
    scopes = forms.MultipleChoiceField(
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the key may do. Choose the fewest that work.",
    )
    expires_at = forms.DateTimeField(
        label="Expires",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="UTC. Empty: the key never expires (rotate it regularly).",
    )
    allowed_cidrs = forms.CharField(
        label="Allowed addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "203.0.113.0/24\n2001:db8::/48"}),
        help_text="One IP address or network per line. Empty: any address.",
    )
    rate_quota = forms.IntegerField(
        label="Rate limit: requests",
        required=False,
        min_value=1,
        help_text="Optional, with a window: a lower limit for this key than your plan's. Empty: the plan's "
        "limit. All your keys together never exceed the plan.",
    )
    rate_window = forms.IntegerField(label="per (seconds)", required=False, min_value=1, max_value=86400)

    def __init__(self, *args, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the scopes the person's role may hand out (tenants.roles.SCOPE_GRANT_PERMISSIONS).
        grantable = grantable_scopes(role)
        self.fields["scopes"].choices = [(s, f"{s} — {d}") for s, d in settings.API_SCOPES.items() if s in grantable]

    def clean_allowed_cidrs(self):
        return [line.strip() for line in self.cleaned_data["allowed_cidrs"].splitlines() if line.strip()]


class RotateForm(forms.Form):
    overlap = forms.ChoiceField(
        choices=[(k, OVERLAP_LABELS[k]) for k in ROTATION_OVERLAPS],
        initial="24h",
        widget=forms.RadioSelect,
        label="The old key",
    )
