"""Accepting an invitation from its e-mailed link.

The page works for everyone who holds the link: a signed-in person accepts with one click; a
signed-out one is sent to sign in, or, when no account has the invited address yet, creates one
right here (the link proves they read that mailbox)."""

from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.shortcuts import redirect, render
from django.views import View

from tenants import services
from tenants.forms import InvitationSignUpForm
from tenants.middleware import switch_tenant
from tenants.models import User
from tenants.portal.base import portal_context
from tenants.services.invitations import InvalidInvitation, invitation_from_token
from tenants.signin_abuse import invitation_throttle

TEMPLATE = "portal/invitations/accept.html"


class AcceptInvitationView(View):
    def dispatch(self, request, token):
        # Failed links count per client address (a guessed or replayed token, or an acceptance
        # refused); past the limit every link answers the lockout page until the window ends.
        retry_after = invitation_throttle.blocked(request)
        if retry_after is not None:
            return invitation_throttle.refuse(request, retry_after)
        try:
            self.invitation = invitation_from_token(token)
        except InvalidInvitation as exc:
            invitation_throttle.hit(request)
            return self.page({"invalid": str(exc.detail)}, status=410)
        self.token = token
        return super().dispatch(request, token)

    def page(self, context, status=200):
        return render(self.request, TEMPLATE, {**portal_context(self.request), **context}, status=status)

    def context(self, **extra):
        user = self.request.user
        invitation = self.invitation
        account_exists = User.objects.with_email(invitation.email).exists()
        return {
            "invitation": invitation,
            "signed_in_as_invitee": user.is_authenticated and user.email.lower() == invitation.email.lower(),
            "account_exists": account_exists,
            **extra,
        }

    def get(self, request, token):
        context = self.context()
        if not request.user.is_authenticated and not context["account_exists"]:
            context["signup_form"] = InvitationSignUpForm(email=self.invitation.email)
        return self.page(context)

    def post(self, request, token):
        if request.user.is_authenticated:
            return self.accept(request.user)
        form = InvitationSignUpForm(request.POST, email=self.invitation.email)
        if not form.is_valid():
            return self.page(self.context(signup_form=form))
        try:
            with transaction.atomic():
                user = form.save()
                membership = services.accept_invitation(token=self.token, user=user)
        except InvalidInvitation as exc:
            return self.page({"invalid": str(exc.detail)}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return self.welcome(membership)

    def accept(self, user):
        try:
            membership = services.accept_invitation(token=self.token, user=user)
        except InvalidInvitation as exc:
            invitation_throttle.hit(self.request)
            return self.page(self.context(error=str(exc.detail)))
        return self.welcome(membership)

    def welcome(self, membership):
        switch_tenant(self.request, membership.tenant)
        messages.success(self.request, f"Welcome to {membership.tenant.name}: you are {membership.get_role_display()}.")
        return redirect("portal:home")
