""" "Deprecations affecting you": each schedule's timeline, the tenant's own calls to the old version
per day, the successor and guide, and the acknowledge button. Plus the changelog of each version."""

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from apikeys.models import UsageRecord
from apikeys.portal import charts
from apikeys.querysets import default_usage_range
from governance import enforcement
from governance.models import ApiVersion, Finding, Review
from governance.services import deprecations
from tenants.portal.base import PortalView
from tenants.services.errors import ServiceError

CHART_DAYS = 30
CHANGELOG_ENTRIES = 50
LEVELS = [("ERR", "Breaking changes"), ("WARN", "Warnings"), ("INFO", "Other changes")]


def timeline(schedule, now) -> list[dict]:
    """The schedule's milestones in time order, each marked past or to come."""
    points = [
        {"label": "Announced", "at": schedule.announced_at},
        {"label": "Deprecated", "at": schedule.deprecated_at},
        *({"label": "Brownout", "at": w.starts_at, "until": w.ends_at} for w in schedule.brownouts.all()),
        {"label": "Sunset", "at": schedule.sunset_at},
    ]
    for point in points:
        point["past"] = point["at"] <= now
        point["now"] = "until" in point and point["at"] <= now < point["until"]
    return sorted(points, key=lambda p: p["at"])


class DeprecationListView(PortalView):
    permission = "deprecations.view"

    def get(self, request):
        now = timezone.now()
        tenant = self.principal.tenant
        schedules = list(deprecations.affecting(tenant, now=now))
        _, end = default_usage_range()
        start = end - timedelta(days=CHART_DAYS - 1)
        rows_by_version = defaultdict(list)
        for row in UsageRecord.objects.for_tenant(tenant).calls_by_day(start, end):
            rows_by_version[(row["api"], row["version"])].append(row)
        cards = []
        for schedule in schedules:
            version = schedule.version
            rows = rows_by_version.get((version.api.slug, version.version), [])
            lifecycle = enforcement.for_api_version(version.api.slug, version.version)
            verdict = enforcement.decide(lifecycle, tenant_id=tenant.pk, now=now) if lifecycle else None
            cards.append(
                {
                    "schedule": schedule,
                    "version": version,
                    "timeline": timeline(schedule, now),
                    "chart": charts.stacked_by_day(rows, start, end),
                    "calls": sum(r["calls"] for r in rows),
                    "ledger": schedule.my_ledger[0] if schedule.my_ledger else None,
                    "exemption": schedule.my_exemptions[0] if schedule.my_exemptions else None,
                    "verdict": verdict,
                }
            )
        return self.render("governance/deprecations.html", {"cards": cards, "now": now, "start": start, "end": end})


class AcknowledgeView(PortalView):
    permission = "deprecations.acknowledge"

    def post(self, request, pk):
        schedule = get_object_or_404(deprecations.affecting(self.principal.tenant), pk=pk)
        try:
            deprecations.acknowledge(actor=self.principal, schedule=schedule)
        except ServiceError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, f"Acknowledged the deprecation of {schedule.version}.")
        return redirect("governance:deprecations")


class ChangelogIndexView(PortalView):
    permission = "catalog.view"

    def get(self, request):
        versions = ApiVersion.objects.visible_to_tenants().with_merged_count()
        return self.render("governance/changelog_index.html", {"versions": versions})


class ChangelogView(PortalView):
    permission = "catalog.view"

    def get(self, request, api_slug, label):
        version = ApiVersion.objects.visible_to_tenants().labelled(api_slug, label).first()
        if version is None:
            raise Http404
        reviews = list(Review.objects.merged_for(version)[:CHANGELOG_ENTRIES])
        findings = defaultdict(list)
        for finding in Finding.objects.of_reviews(reviews):
            findings[finding.review_id].append(finding)
        entries = []
        for review in reviews:
            groups = [
                {"level": level, "title": title, "findings": [f for f in findings[review.pk] if f.level == level]}
                for level, title in LEVELS
            ]
            entries.append(
                {"review": review, "groups": [g for g in groups if g["findings"]], "count": len(findings[review.pk])}
            )
        return self.render("governance/changelog.html", {"version": version, "entries": entries})
