"""The keys pages of the portal. Thin: a form validates, a service writes.

A key's plain value exists only in the response to the POST that created or rotated it: that page
is no-store and replaces its own history entry with the keys page (static/portal/portal.js), so
reloading never shows the key again nor submits the form twice.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from apikeys import services
from apikeys.models import ApiKey
from apikeys.portal.forms import ApiKeyForm, RotateForm
from tenants.forms import apply_service_error
from tenants.portal.base import PortalView
from tenants.services.errors import ServiceError

# The statuses (ApiKey.status) of a key that still authenticates.
IN_USE = ("active", "rotating")


class KeyListView(PortalView):
    permission = "keys.view"

    def get(self, request):
        keys = list(ApiKey.objects.for_principal(self.principal).for_listing())
        # Keys that still work first; revoked and expired ones apart, below, for the record.
        in_use = [key for key in keys if key.status in IN_USE]
        retired = [key for key in keys if key.status not in IN_USE]
        return self.render("apikeys/list.html", {"keys": keys, "in_use": in_use, "retired": retired})


class SecretOnceMixin:
    def secret_page(self, api_key, raw, *, rotated_from=None):
        response = self.render("apikeys/secret.html", {"key": api_key, "raw": raw, "rotated_from": rotated_from})
        add_never_cache_headers(response)
        return response


class KeyCreateView(SecretOnceMixin, PortalView):
    permission = "keys.manage"
    template = "apikeys/form.html"

    def get(self, request):
        return self.render(
            self.template, {"form": ApiKeyForm(initial={"scopes": ["catalog:read"]}, role=self.principal.role)}
        )

    def post(self, request):
        form = ApiKeyForm(request.POST, role=self.principal.role)
        if form.is_valid():
            try:
                api_key, raw = services.create_key(actor=self.principal, **form.cleaned_data)
            except (ValidationError, ServiceError) as exc:
                apply_service_error(form, exc)
            else:
                return self.secret_page(api_key, raw)
        return self.render(self.template, {"form": form})


class KeyRotateView(SecretOnceMixin, PortalView):
    permission = "keys.manage"
    template = "apikeys/rotate.html"

    def get(self, request, pk):
        return self.render(self.template, {"key": self.get_scoped_or_404(ApiKey, pk=pk), "form": RotateForm()})

    def post(self, request, pk):
        api_key = self.get_scoped_or_404(ApiKey, pk=pk)
        form = RotateForm(request.POST)
        if form.is_valid():
            try:
                new, raw = services.rotate_key(
                    actor=self.principal, api_key=api_key, overlap=form.cleaned_data["overlap"]
                )
            except (ValidationError, ServiceError) as exc:
                apply_service_error(form, exc)
            else:
                api_key.refresh_from_db()
                return self.secret_page(new, raw, rotated_from=api_key)
        return self.render(self.template, {"key": api_key, "form": form})


class KeyRevokeView(PortalView):
    permission = "keys.manage"
    template = "apikeys/revoke.html"

    def get(self, request, pk):
        return self.render(self.template, {"key": self.get_scoped_or_404(ApiKey, pk=pk)})

    def post(self, request, pk):
        api_key = self.get_scoped_or_404(ApiKey, pk=pk)
        try:
            services.revoke_key(actor=self.principal, api_key=api_key)
        except ServiceError as exc:
            return self.render(self.template, {"key": api_key, "error": str(exc.detail)})
        messages.success(request, f"The key {api_key.name} ({api_key.lookup_id}) is revoked; it no longer works.")
        return redirect("keys:list")
