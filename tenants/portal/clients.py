"""OAuth clients of the current tenant.

A client's plain secret exists only in the response to the POST that created or rotated it. That
response is marked no-store and, through static/portal/portal.js, replaces its own history entry
with the client's page, so reloading or coming back shows the client without its secret (and does
not submit the form again).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from tenants import services
from tenants.forms import OAuthClientForm, apply_service_error
from tenants.models import Application
from tenants.portal.base import PortalView
from tenants.services.errors import ServiceError


class ClientListView(PortalView):
    permission = "clients.view"

    def get(self, request):
        return self.render("portal/clients/list.html", {"clients": self.scoped(Application).for_listing()})


class ClientDetailView(PortalView):
    permission = "clients.view"

    def get(self, request, pk):
        return self.render(
            "portal/clients/detail.html", {"client": self.get_scoped_or_404(Application.objects.with_creator(), pk=pk)}
        )


class SecretOnceMixin(PortalView):
    def secret_page(self, client, secret, *, rotated: bool):
        response = self.render("portal/clients/secret.html", {"client": client, "secret": secret, "rotated": rotated})
        add_never_cache_headers(response)  # no-store: the secret must not land in any cache
        return response


class ClientCreateView(SecretOnceMixin, PortalView):
    permission = "clients.manage"
    template = "portal/clients/form.html"

    def get(self, request):
        return self.render(
            self.template,
            {"form": OAuthClientForm(initial={"allowed_scopes": ["tenant:read"]}, role=self.principal.role)},
        )

    def post(self, request):
        form = OAuthClientForm(request.POST, role=self.principal.role)
        if form.is_valid():
            try:
                client, secret = services.create_oauth_client(actor=self.principal, **form.cleaned_data)
            except (ValidationError, ServiceError) as exc:
                apply_service_error(form, exc)
            else:
                return self.secret_page(client, secret, rotated=False)
        return self.render(self.template, {"form": form})


class ClientRotateView(SecretOnceMixin, PortalView):
    permission = "clients.manage"
    template = "portal/clients/rotate.html"

    def get(self, request, pk):
        return self.render(self.template, {"client": self.get_scoped_or_404(Application, pk=pk)})

    def post(self, request, pk):
        client = self.get_scoped_or_404(Application, pk=pk)
        try:
            client, secret = services.rotate_client_secret(actor=self.principal, application=client)
        except ServiceError as exc:
            return self.render(self.template, {"client": client, "error": str(exc.detail)})
        return self.secret_page(client, secret, rotated=True)


class ClientDeleteView(PortalView):
    permission = "clients.manage"
    template = "portal/clients/delete.html"

    def get(self, request, pk):
        return self.render(self.template, {"client": self.get_scoped_or_404(Application, pk=pk)})

    def post(self, request, pk):
        client = self.get_scoped_or_404(Application, pk=pk)
        services.delete_oauth_client(actor=self.principal, application=client)
        messages.success(request, f"The client {client.name} is deleted; its tokens no longer work.")
        return redirect("portal:clients")
