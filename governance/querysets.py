"""Reads of governance: the querysets behind every governance model's default manager. Views, admin
classes and tasks ask these by name (`ApiVersion.objects.visible_to_tenants()`); services write.

The models import this module, so it imports no governance model: it reaches the model it reads and
the related ones through `self.model` (see `_related`), and their choices (LifecycleState, Api.Visibility,
Review.Status, ...) through them.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from apikeys.models import UsageRecord
from tenants.querysets import TenantScopedQuerySet


def _related(model, *path: str):
    """The model at the end of a path of relations: _related(Finding, "review", "version") is ApiVersion."""
    for name in path:
        model = model._meta.get_field(name).related_model
    return model


def _lifecycle(model, *path: str):
    """LifecycleState, the choices of ApiVersion.state, reached from `model` through `path`."""
    return _related(model, *path).State


# --- the catalog -----------------------------------------------------------------------------------


class ApiQuerySet(models.QuerySet):
    def visible_to_tenants(self):
        """The APIs tenants see in the catalog: public and partner ones (internal APIs are the
        platform's own)."""
        visibility = self.model.Visibility
        return self.filter(visibility__in=[visibility.PUBLIC, visibility.PARTNER])

    def with_listed_versions(self):
        """With each API's listed (not draft) versions by label, in `listed_versions`."""
        versions = _related(self.model, "versions")._default_manager.listed().order_by("version")
        return self.prefetch_related(Prefetch("versions", queryset=versions, to_attr="listed_versions"))


class ApiVersionQuerySet(models.QuerySet):
    def listed(self):
        """Versions offered to anyone: every state but draft."""
        return self.exclude(state=_lifecycle(self.model).DRAFT)

    def in_catalog(self):
        """Listed versions of the APIs tenants see (the catalog API's versions)."""
        apis = _related(self.model, "api")._default_manager.visible_to_tenants()
        return self.listed().filter(api__in=apis)

    def visible_to_tenants(self):
        """Versions whose changelog tenants may read: of public and partner APIs, not draft, with
        their API."""
        visibility = _related(self.model, "api").Visibility
        return (
            self.filter(api__visibility__in=[visibility.PUBLIC, visibility.PARTNER])
            .exclude(state=_lifecycle(self.model).DRAFT)
            .select_related("api")
        )

    def of_api(self, api):
        return self.filter(api=api)

    def of_apis(self, apis):
        return self.filter(api__in=apis)

    def labelled(self, api_slug: str, label: str):
        """The version `label` of the API `api_slug` (at most one row)."""
        return self.filter(api__slug=api_slug, version=label)

    def accepting_specs(self):
        """Versions a spec may still be submitted for: all but sunset and retired (their spec is frozen)."""
        state = _lifecycle(self.model)
        return self.exclude(state__in=[state.SUNSET, state.RETIRED])

    def with_published_revision(self):
        return self.select_related("api", "published_revision")

    def with_deprecation(self):
        return self.select_related("api", "deprecation")

    def with_merged_count(self):
        """Each version with `merged`, the number of its merged reviews (its changelog entries), by
        API and label (the GROUP BY drops Meta.ordering, so the order is explicit)."""
        merged = _related(self.model, "reviews").Status.MERGED
        return self.annotate(merged=Count("reviews", filter=Q(reviews__status=merged))).order_by("api__slug", "version")


# --- reviews -------------------------------------------------------------------------------------


class ReviewQuerySet(models.QuerySet):
    def of_version(self, version):
        return self.filter(version=version)

    def merged_for(self, version):
        """The version's merged reviews (its changelog), the latest merge first."""
        return self.filter(version=version, status=self.model.Status.MERGED).order_by("-merged_at", "-pk")

    def with_version_and_revision(self):
        return self.select_related("version__api", "revision")

    def for_review_page(self):
        """With everything the staff review page shows: the version, its API and published
        revision, both revisions compared, who submitted and who decided."""
        return self.select_related(
            "version__api", "version__published_revision", "revision", "base_revision", "submitted_by", "decided_by"
        )


class FindingQuerySet(models.QuerySet):
    def of_review(self, review):
        return self.filter(review=review)

    def of_reviews(self, reviews):
        """The findings of these reviews, review by review, in the engine's order."""
        return self.filter(review__in=reviews).order_by("review_id", "id")

    def worst_first(self):
        """ERR first, then WARN, then INFO; in the engine's order within a level."""
        order = Case(
            When(level="ERR", then=Value(0)),
            When(level="WARN", then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return self.order_by(order, "id")

    def first_of_groups(self, groups, limit: int):
        """The first `limit` findings of each group (the occurrences a page shows), group by group,
        in one query: a row number per group, by id."""
        rank = Window(RowNumber(), partition_by=[F("group_id")], order_by=F("id").asc())
        return (
            self.filter(group__in=groups)
            .annotate(rank=rank)
            .filter(rank__lte=limit)
            .only("id", "group_id", "operation", "path", "text")
            .order_by("group_id", "id")
        )

    def with_waivers(self):
        """In the engine's order, with each finding's waivers and who made them."""
        return self.prefetch_related("waivers__created_by").order_by("id")

    def changelog(self):
        """Findings of merged reviews (what each version's published spec changed), newest first."""
        merged = _related(self.model, "review").Status.MERGED
        return (
            self.filter(review__status=merged)
            .select_related("review__version__api")
            .order_by("-review__merged_at", "-review_id", "id")
        )

    def in_catalog(self):
        """Findings of versions tenants see in the catalog: of public and partner APIs, not draft."""
        apis = _related(self.model, "review", "version", "api")._default_manager.visible_to_tenants()
        return self.filter(review__version__api__in=apis).exclude(
            review__version__state=_lifecycle(self.model, "review", "version").DRAFT
        )


class ChangeGroupQuerySet(models.QuerySet):
    def of_review(self, review):
        return self.filter(review=review)

    def counts_by_level(self) -> dict[str, dict]:
        """{level: {"groups": n, "findings": occurrences}} of these groups."""
        rows = self.order_by().values("level").annotate(groups=Count("id"), findings=Sum("occurrences"))
        return {row["level"]: row for row in rows}

    def with_waived(self, now=None):
        """Each group with `waived`: an active waiver covers it (same version, same group key)."""
        waivers = _related(self.model, "waivers")._default_manager.active(now)
        covering = waivers.filter(version=OuterRef("review__version"), group_key=OuterRef("group_key"))
        return self.annotate(waived=models.Exists(covering))


class WaiverQuerySet(models.QuerySet):
    def of_review(self, review):
        """Waivers of the review's findings."""
        return self.filter(finding__review=review)

    def active(self, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def covering(self, review, groups=None):
        """The waivers (active or not) made on the review's groups — or only on `groups` — or on the
        same changes in an earlier review of the version."""
        if groups is None:
            keys = _related(self.model, "group")._default_manager.filter(review=review).values("group_key")
        else:
            keys = [g.group_key for g in groups]
        return self.filter(version_id=review.version_id, group_key__in=keys)


# --- deprecations ------------------------------------------------------------------------------------


class DeprecationScheduleQuerySet(models.QuerySet):
    def with_ledger_counts(self):
        """Each schedule with how many tenants its migration ledger holds in each state:
        `n_notified`, `n_acknowledged`, `n_migrated`."""
        state = _related(self.model, "ledger").State
        return self.annotate(
            n_notified=Count("ledger", filter=Q(ledger__state=state.NOTIFIED)),
            n_acknowledged=Count("ledger", filter=Q(ledger__state=state.ACKNOWLEDGED)),
            n_migrated=Count("ledger", filter=Q(ledger__state=state.MIGRATED)),
        )


class MigrationLedgerQuerySet(TenantScopedQuerySet):
    def with_recent_calls(self, days: int = 30):
        """Each entry with `calls`: its tenant's calls to the schedule's version in the last `days`
        days (None without any)."""
        calls = (
            UsageRecord.objects.filter(
                tenant=OuterRef("tenant"),
                api=OuterRef("schedule__version__api__slug"),
                version=OuterRef("schedule__version__version"),
                hour__gte=timezone.now() - timedelta(days=days),
            )
            .order_by()
            .values("tenant")
            .annotate(total=Sum("count"))
            .values("total")
        )
        return self.annotate(calls=Subquery(calls))


# --- webhooks --------------------------------------------------------------------------------------


class WebhookEndpointQuerySet(TenantScopedQuerySet):
    def newest_first(self):
        return self.order_by("-created_at")


class WebhookDeliveryQuerySet(TenantScopedQuerySet):
    def of_endpoint(self, endpoint):
        """The endpoint's deliveries, the latest first (Meta.ordering)."""
        return self.filter(endpoint=endpoint)

    def retryable(self):
        """Deliveries staff may send again: failed, given up or refused."""
        status = self.model.Status
        return self.filter(status__in=[status.FAILED, status.GAVE_UP, status.REFUSED])
