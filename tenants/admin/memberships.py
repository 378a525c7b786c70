"""Staff console: memberships and invitations. Additions, role changes and removals go through the
services, which keep the last-owner rule; invitations are looked at and revoked, never edited."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import ngettext

from tenants import services
from tenants.admin.staff import (
    SERVICE_REFUSALS,
    AcrossTenantsMixin,
    ServiceRefusalsMixin,
    refusal_text,
    staff_principal,
)
from tenants.models import Invitation, Membership
from tenants.roles import Role


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "tenant", "role")

    def clean_role(self):
        # An early, friendly form error; the service still decides under a row lock.
        role = self.cleaned_data["role"]
        member = self.instance
        if member.pk and member.role == Role.OWNER and role != Role.OWNER and _is_last_owner(member):
            raise forms.ValidationError("This is the tenant's last owner; make another member owner first.")
        return role


def _is_last_owner(membership) -> bool:
    return not Membership.objects.co_owners_of(membership).exists()


@admin.register(Membership)
class MembershipAdmin(ServiceRefusalsMixin, AcrossTenantsMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "tenant")
    search_fields = ("user__email", "user__full_name", "tenant__slug", "tenant__name")
    autocomplete_fields = ("user", "tenant")
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # Once created, a membership only changes its role (moving it is removing and adding).
        return self.readonly_fields + (("user", "tenant") if obj is not None else ())

    def get_actions(self, request):
        # The bulk delete skips the service (and with it the last-owner rule); delete one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.role == Role.OWNER and _is_last_owner(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        actor = staff_principal(request, tenant=obj.tenant)
        if change:
            if "role" in form.changed_data:
                services.change_member_role(actor=actor, membership=obj, role=obj.role)
            return
        membership = services.add_member(actor=actor, tenant=obj.tenant, user=obj.user, role=obj.role)
        obj.pk = membership.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.remove_member(actor=staff_principal(request, tenant=obj.tenant), membership=obj)


@admin.register(Invitation)
class InvitationAdmin(AcrossTenantsMixin, admin.ModelAdmin):
    """Invitations are made in the portal or the API (the e-mail goes out there). The nonce, the
    secret half of the link, is never shown."""

    list_display = ("email", "tenant", "role", "status", "invited_by", "created_at", "expires_at")
    list_filter = ("role", "tenant")
    list_select_related = ("tenant", "invited_by")
    search_fields = ("email", "tenant__slug", "tenant__name")
    fields = (
        "tenant",
        "email",
        "role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    readonly_fields = fields
    date_hierarchy = "created_at"
    actions = ["revoke_invitations"]

    @admin.display(description="status")
    def status(self, obj):
        return obj.status

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("tenants.change_invitation")

    @admin.action(description="Revoke selected pending invitations", permissions=["revoke"])
    def revoke_invitations(self, request, queryset):
        revoked = 0
        for invitation in queryset.select_related("tenant"):
            if invitation.status != "pending":
                continue
            try:
                services.revoke_invitation(
                    actor=staff_principal(request, tenant=invitation.tenant), invitation=invitation
                )
            except SERVICE_REFUSALS as exc:
                self.message_user(request, f"{invitation.email}: {refusal_text(exc)}", messages.WARNING)
                continue
            revoked += 1
        self.message_user(
            request, ngettext("Revoked %d invitation.", "Revoked %d invitations.", revoked) % revoked, messages.SUCCESS
        )
