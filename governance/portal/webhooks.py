"""The webhooks page: register endpoints (the secret shown once), see deliveries, send a test."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from governance.models import WebhookDelivery, WebhookEndpoint
from governance.portal.forms import WebhookForm
from governance.services import webhooks
from tenants.forms import apply_service_error
from tenants.portal.base import PortalView
from tenants.services.errors import ServiceError


class WebhookListView(PortalView):
    permission = "webhooks.view"

    def get(self, request):
        endpoints = self.scoped(WebhookEndpoint).newest_first()
        return self.render("governance/webhooks.html", {"endpoints": endpoints, "event_types": webhooks.EVENT_TYPES})


class WebhookCreateView(PortalView):
    permission = "webhooks.manage"

    def get(self, request):
        return self.render("governance/webhook_form.html", {"form": WebhookForm()})

    def post(self, request):
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = webhooks.create_endpoint(actor=self.principal, **form.cleaned_data)
            except (ValidationError, ServiceError) as exc:
                apply_service_error(form, exc)
            else:
                response = self.render("governance/webhook_secret.html", {"endpoint": endpoint, "secret": secret})
                add_never_cache_headers(response)
                return response
        return self.render("governance/webhook_form.html", {"form": form})


class WebhookDetailView(PortalView):
    permission = "webhooks.view"

    def get(self, request, pk):
        endpoint = self.get_scoped_or_404(WebhookEndpoint, pk=pk)
        deliveries = self.scoped(WebhookDelivery).of_endpoint(endpoint)[:50]
        return self.render("governance/webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries})


class WebhookTestView(PortalView):
    permission = "webhooks.manage"

    def post(self, request, pk):
        endpoint = self.get_scoped_or_404(WebhookEndpoint, pk=pk)
        webhooks.send_test_event(actor=self.principal, endpoint=endpoint)
        messages.success(request, "A test event is on its way; its delivery appears below.")
        return redirect("governance:webhook-detail", pk=endpoint.pk)


class WebhookDeleteView(PortalView):
    permission = "webhooks.manage"

    def get(self, request, pk):
        return self.render(
            "governance/webhook_delete.html", {"endpoint": self.get_scoped_or_404(WebhookEndpoint, pk=pk)}
        )

    def post(self, request, pk):
        endpoint = self.get_scoped_or_404(WebhookEndpoint, pk=pk)
        webhooks.delete_endpoint(actor=self.principal, endpoint=endpoint)
        messages.success(request, f"The endpoint {endpoint.url} is removed.")
        return redirect("governance:webhooks")
