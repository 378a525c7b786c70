"""The usage page of the portal: the tenant's calls per day, as a server-side SVG chart."""

from datetime import timedelta

from apikeys.models import UsageRecord
from apikeys.portal import charts
from apikeys.querysets import DEFAULT_USAGE_DAYS, default_usage_range
from tenants.portal.base import PortalView


class UsagePageView(PortalView):
    permission = "usage.view"

    def get(self, request):
        try:
            days = min(max(int(request.GET.get("days", DEFAULT_USAGE_DAYS)), 1), 90)
        except ValueError:
            days = DEFAULT_USAGE_DAYS
        _, end = default_usage_range()
        start = end - timedelta(days=days - 1)
        rows = UsageRecord.objects.for_tenant(self.principal.tenant).calls_by_day(start, end)
        return self.render(
            "apikeys/usage.html",
            {
                "chart": charts.stacked_by_day(rows, start, end),
                "rows": rows,
                "start": start,
                "end": end,
                "days": days,
                "total": sum(r["calls"] for r in rows),
                "day_choices": [7, 30, 90],
            },
        )
