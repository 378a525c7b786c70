"""django-filter sets of the tenant API. Filters only narrow the already tenant-scoped queryset."""

import django_filters
from django.utils import timezone

from config.api.filters import IsoDateTimeFilter
from tenants.models import AuditEvent, Invitation, Membership
from tenants.roles import Role


class MemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="iexact")

    class Meta:
        model = Membership
        fields = ["role", "email"]


class InvitationFilter(django_filters.FilterSet):
    STATUS_CHOICES = [(s, s) for s in ("pending", "accepted", "revoked", "expired")]

    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status")
    email = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Invitation
        fields = ["status", "email"]

    def filter_status(self, queryset, name, value):
        # The same precedence as Invitation.status: accepted, then revoked, then expired.
        now = timezone.now()
        if value == "accepted":
            return queryset.filter(accepted_at__isnull=False)
        if value == "revoked":
            return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False)
        if value == "expired":
            return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
        return queryset.pending()


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        method="filter_action",
        help_text="Exact action, e.g. `member.role_changed`; end with `.` for a family (`member.`).",
    )
    actor = django_filters.CharFilter(
        method="filter_actor",
        help_text="A user id, a user's e-mail address, or an actor label such as `oauth-client:<client_id>`.",
    )
    created_after = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date or date-time (inclusive)."
    )
    created_before = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="ISO 8601 date or date-time (exclusive)."
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "created_after", "created_before"]

    def filter_action(self, queryset, name, value):
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(action=value)

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(actor_id=int(value))
        if "@" in value:
            # The person, whether they acted in a session or through an app on their behalf.
            return queryset.filter(actor__email__iexact=value)
        return queryset.filter(actor_label=value)
