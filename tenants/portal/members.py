"""Members of the current tenant: list, invite, change role, remove, leave; pending invitations."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from tenants import services
from tenants.forms import InviteForm, RoleForm, apply_service_error
from tenants.models import Invitation, Membership
from tenants.portal.base import PortalView
from tenants.roles import Role
from tenants.services.errors import ServiceError


def _members(principal):
    return Membership.objects.for_principal(principal).roster()


class MemberRowMixin:
    """What the page may offer on one member's row (the server checks again on POST)."""

    def annotate_row(self, membership):
        principal = self.principal
        touches_owner = membership.role == Role.OWNER
        may_manage = principal.can("members.manage") and (not touches_owner or principal.can("members.manage_owners"))
        membership.is_me = membership.user_id == principal.user.pk
        membership.may_change_role = may_manage
        membership.may_remove = may_manage and not membership.is_me
        membership.role_form = RoleForm(principal=principal, initial={"role": membership.role}) if may_manage else None
        return membership


class MemberListView(MemberRowMixin, PortalView):
    permission = "members.view"

    def get(self, request):
        return self.render("portal/members/list.html", self.list_context())

    def list_context(self):
        return {
            "memberships": [self.annotate_row(m) for m in _members(self.principal)],
            "invitations": self.scoped(Invitation).pending().for_listing(),
            "may_invite": self.can("invitations.manage"),
        }


class InviteMemberView(PortalView):
    permission = "invitations.manage"
    template = "portal/members/invite.html"

    def render_form(self, form):
        return self.render(self.template, {"form": form, "invitation_days": settings.INVITATION_MAX_AGE.days})

    def get(self, request):
        return self.render_form(InviteForm(principal=self.principal))

    def post(self, request):
        form = InviteForm(request.POST, principal=self.principal)
        if form.is_valid():
            try:
                invitation = services.invite_member(actor=self.principal, **form.cleaned_data)
            except (ValidationError, ServiceError) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"Invitation sent to {invitation.email} as {invitation.get_role_display()}.")
                return redirect("portal:members")
        return self.render_form(form)


class ChangeRoleView(MemberRowMixin, PortalView):
    """POST from the role select of a row. With htmx only that row is swapped back in."""

    permission = "members.manage"
    http_method_names = ["post"]

    def post(self, request, pk):
        membership = self.get_scoped_or_404(Membership.objects.with_users(), pk=pk)
        form = RoleForm(request.POST, principal=self.principal)
        error = None
        if form.is_valid():
            try:
                membership = services.change_member_role(
                    actor=self.principal, membership=membership, role=form.cleaned_data["role"]
                )
            except ServiceError as exc:
                error = str(exc.detail)
        else:
            error = "; ".join(m for messages_ in form.errors.values() for m in messages_)
        if request.htmx:
            row = self.annotate_row(self.get_scoped_or_404(Membership.objects.with_users(), pk=membership.pk))
            return self.render("portal/members/_row.html", {"m": row, "row_error": error})
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"{membership.user.email} is now {membership.get_role_display()}.")
        return redirect("portal:members")


class RemoveMemberView(PortalView):
    permission = "members.manage"
    template = "portal/members/remove.html"

    def get(self, request, pk):
        return self.render(
            self.template, {"membership": self.get_scoped_or_404(Membership.objects.with_users(), pk=pk)}
        )

    def post(self, request, pk):
        membership = self.get_scoped_or_404(Membership.objects.with_users(), pk=pk)
        try:
            services.remove_member(actor=self.principal, membership=membership)
        except ServiceError as exc:
            return self.render(self.template, {"membership": membership, "error": str(exc.detail)})
        messages.success(request, f"{membership.user.email} no longer belongs to {self.principal.tenant.name}.")
        return redirect("portal:members")


class LeaveTenantView(PortalView):
    template = "portal/members/leave.html"

    def get(self, request):
        return self.render(self.template)

    def post(self, request):
        tenant = self.principal.tenant
        try:
            services.leave_tenant(actor=self.principal)
        except ServiceError as exc:
            return self.render(self.template, {"error": str(exc.detail)})
        messages.success(request, f"You left {tenant.name}.")
        return redirect("portal:home")


class RevokeInvitationView(PortalView):
    permission = "invitations.manage"
    http_method_names = ["post"]

    def post(self, request, pk):
        invitation = self.get_scoped_or_404(Invitation, pk=pk)
        try:
            services.revoke_invitation(actor=self.principal, invitation=invitation)
        except ServiceError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, f"The invitation to {invitation.email} is revoked; its link no longer works.")
        return redirect("portal:members")
