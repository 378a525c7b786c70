"""The tenant's audit trail, newest first, filterable by action."""

from django.core.paginator import Paginator
from django.utils.cache import patch_vary_headers

from tenants.forms import AuditFilterForm
from tenants.models import AuditEvent
from tenants.portal.base import PortalView


class AuditLogView(PortalView):
    permission = "audit.view"
    page_size = 25

    def get(self, request):
        events = self.scoped(AuditEvent)
        actions = events.action_names()
        form = AuditFilterForm(request.GET, actions=list(actions))
        if form.is_valid() and form.cleaned_data["action"]:
            events = events.with_action(form.cleaned_data["action"])
        page = Paginator(events.newest_first(), self.page_size).get_page(request.GET.get("page"))
        context = {"form": form, "page": page, "action": form.cleaned_data.get("action", "") if form.is_valid() else ""}
        # htmx asks only for the results when the filter changes or a page link is followed (but
        # the whole page when it restores history it had not cached).
        partial = request.htmx and not request.htmx.history_restore_request
        response = self.render("portal/audit/_results.html" if partial else "portal/audit/list.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
