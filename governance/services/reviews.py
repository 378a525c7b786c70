"""Spec reviews: submit a document, analyse it with the engine, decide, waive, merge.

    submit_spec ──(on commit: tasks.analyse_review)──▶ pending ──▶ ready | failed
    ready ──approve──▶ approved ──merge──▶ merged (the revision is published)
    ready ──reject──▶ rejected                  (approve/reject may be revised until merged)

- The base of the diff is the version's published revision at submission time (kept on the review
  as base_revision). A first publication has no base: the proposal is diffed against an empty
  document of the same OpenAPI version, so every operation appears as added (INFO) and the review
  still shows what the version will offer.
- A hostile or broken document never raises: the review ends `failed` with the engine's one-line
  message (SpecError), or a short generic message for anything else the engine trips on.
- The findings are stored with their groups (the engine's ``Report.groups``: each change once, the
  findings its occurrences), each group with an excerpt of both documents at its origin, so the
  review page never loads the documents.
- A waiver waives a group: its reason and expiry cover every occurrence, and it keys on the group's
  stable hash, so it covers the same change in the next review of the version too.
- Merging is refused unless the review is approved, the published revision is still the one the
  review compared with, and — for a version clients rely on (active or deprecated) — every ERR
  group is covered by an active waiver: a breaking change into a live version needs a new major
  version or an approved waiver.
"""

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Sum
from django.utils import timezone

from config.api.problems import Problem
from config.celery import enqueue_on_commit
from governance import permissions
from governance.models import ApiVersion, ChangeGroup, Finding, LifecycleState, Review, SpecRevision, Waiver
from governance.openapi import Options, SpecError, diff_specs, load_spec
from governance.openapi.model import Report
from tenants import audit
from tenants.services.errors import ServiceError

log = logging.getLogger(__name__)

DEFAULT_MAX_SPEC_BYTES = 5 * 1024 * 1024
LIVE_STATES = (LifecycleState.ACTIVE, LifecycleState.DEPRECATED)
OPEN_STATUSES = (Review.Status.PENDING, Review.Status.READY, Review.Status.APPROVED, Review.Status.REJECTED)
AFFECTED_TRAFFIC_WINDOW = timedelta(days=30)
EXCERPT_CHARS = 1000  # of each document's node at a group's origin


def max_spec_bytes() -> int:
    return getattr(settings, "GOVERNANCE_MAX_SPEC_BYTES", DEFAULT_MAX_SPEC_BYTES)


class SpecTooLarge(Problem):
    def __init__(self, size: int, limit: int):
        super().__init__("payload-too-large", f"The document is {size} bytes; the limit is {limit} bytes.", limit=limit)


class SpecNotText(Problem):
    def __init__(self, detail: str):
        super().__init__("spec-invalid", detail)


class ReviewError(ServiceError):
    """A review decision or merge refused; the detail says why."""


# --- submit ---------------------------------------------------------------------------------------


@transaction.atomic
def submit_spec(*, actor, version: ApiVersion, document: bytes, source: str) -> Review:
    """Store the document as a new SpecRevision of `version` and open a review of it; the engine
    runs after commit (tasks.analyse_review). Refused: not the API's owner (403), over the size
    limit (413), not UTF-8 text (400 spec-invalid). Everything else is the engine's to judge."""
    version = ApiVersion.objects.select_related("api", "published_revision").get(pk=version.pk)
    permissions.require_api_owner(actor, version.api)
    if source not in SpecRevision.Source.values:
        raise ValueError(f"unknown source {source!r}")
    limit = max_spec_bytes()
    if len(document) > limit:
        raise SpecTooLarge(len(document), limit)
    try:
        text = document.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecNotText(f"The document is not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    if "\x00" in text:
        raise SpecNotText("The document contains NUL characters; an OpenAPI document is text.")
    if not text.strip():
        raise SpecNotText("The document is empty.")
    author = permissions.actor_user(actor)
    revision = SpecRevision.objects.create(
        version=version,
        document=text,
        content_hash=hashlib.sha256(document).hexdigest(),
        size=len(document),
        source=source,
        author=author if author is not None and author.pk else None,
    )
    review = Review.objects.create(
        version=version, revision=revision, base_revision=version.published_revision, submitted_by=revision.author
    )
    audit.record(
        action="review.submitted",
        actor=actor,
        target=review,
        changes={
            "version": str(version),
            "revision": revision.pk,
            "content_hash": revision.content_hash,
            "size": revision.size,
            "source": source,
            "base_revision": version.published_revision_id,
        },
    )
    enqueue_on_commit("governance.analyse_review", review.pk)
    return review


# --- analyse (the task's body) ---------------------------------------------------------------------


def empty_spec_like(revision_root) -> bytes:
    """The base of a first publication: no paths, same OpenAPI version as the proposal."""
    openapi = revision_root.get("openapi", "3.0.0") if isinstance(revision_root, dict) else "3.0.0"
    return json.dumps(
        {"openapi": str(openapi), "info": {"title": "(nothing published)", "version": "0"}, "paths": {}}
    ).encode()


def load_revision(revision: SpecRevision, role: str):
    """The engine's Spec of a stored revision (raises SpecError with a one-line message)."""
    return load_spec(
        revision.document.encode("utf-8"),
        filename=f"{role} revision {revision.pk}",
        max_bytes=max(max_spec_bytes(), revision.size),
    )


class Comparison(NamedTuple):
    base: Any  # the engine's Spec of each side
    revision: Any
    report: Report


def run_engine(review: Review) -> tuple[Comparison | None, str | None]:
    """(comparison, None) or (None, error message). Never raises for a bad document."""
    try:
        revision = load_revision(review.revision, "proposed")
        if review.base_revision is not None:
            base = load_revision(review.base_revision, "published")
        else:
            base = load_spec(empty_spec_like(revision.root), filename="empty base")
        return Comparison(base, revision, diff_specs(base, revision, Options())), None
    except SpecError as exc:
        return None, str(exc)
    except DatabaseError:
        raise  # the task retries
    except RecursionError:
        return None, "The document is nested too deeply to analyse."
    except Exception as exc:  # an engine bug must not crash the worker or the page: record it
        log.exception("Engine failed on review %s", review.pk)
        return None, f"The engine could not analyse the document ({type(exc).__name__})."


def _clip(value, limit):
    return (value or "")[:limit]


def excerpt(spec, pointer: str | None) -> str:
    """A short, pretty JSON excerpt of the node at `pointer` ("" when absent on that side)."""
    if spec is None or not pointer:
        return ""
    try:
        node = spec.node_at(pointer)
    except (SpecError, RecursionError, LookupError, TypeError, ValueError):  # an excerpt never fails the analysis
        return ""
    try:
        text = json.dumps(node, indent=2, sort_keys=False, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(node)
    return text[:EXCERPT_CHARS] + "\n…" if len(text) > EXCERPT_CHARS else text


def store_findings(review: Review, comparison: Comparison) -> None:
    """The report's groups and their findings, in a number of queries that grows with the rows
    (batches of 1000), not with anything per group."""
    groups = ChangeGroup.objects.bulk_create(
        [
            ChangeGroup(
                review=review,
                group_key=g.id,
                rule=_clip(g.rule, 100),
                level=g.level,
                direction=g.direction,
                origin=_clip(g.origin, 1000),
                text=g.text,
                operations=g.operations,
                occurrences=g.occurrences,
                base_excerpt=excerpt(comparison.base, g.base_pointer),
                revision_excerpt=excerpt(comparison.revision, g.revision_pointer),
                position=position,
            )
            for position, g in enumerate(comparison.report.groups)
        ],
        batch_size=1000,
    )
    group_of = {id(f): row for row, g in zip(groups, comparison.report.groups, strict=True) for f in g.findings}
    Finding.objects.bulk_create(
        [
            Finding(
                review=review,
                group=group_of[id(f)],
                rule_id=_clip(f.id, 100),
                level=f.level,
                operation=_clip(f.operation, 10),
                path=_clip(f.path, 500),
                text=f.text,
                base_pointer=_clip(f.base_pointer, 1000),
                revision_pointer=_clip(f.revision_pointer, 1000),
            )
            for f in comparison.report.findings
        ],
        batch_size=1000,
    )


@transaction.atomic
def analyse_review(*, review_id: int) -> str:
    """Run the engine for a pending review and store its findings. Idempotent: a review that is no
    longer pending is left alone (a retried or duplicated task does nothing)."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("revision", "base_revision", "version__api")
        .filter(pk=review_id)
        .first()
    )
    if review is None or review.status != Review.Status.PENDING:
        return review.status if review is not None else "missing"
    comparison, error = run_engine(review)
    review.analysed_at = timezone.now()
    if comparison is None:
        review.status = Review.Status.FAILED
        review.error = (error or "")[:2000]
        review.summary = {}
    else:
        review.findings.all().delete()  # none expected; keeps a re-run from duplicating
        review.groups.all().delete()
        store_findings(review, comparison)
        report = comparison.report
        review.status = Review.Status.READY
        review.error = ""
        review.summary = {
            **report.summary,
            "groups": report.group_summary(),
            "first_publication": review.base_revision_id is None,
        }
    review.save(update_fields=["status", "error", "summary", "analysed_at"])
    audit.record(
        action="review.analysed",
        actor=None,
        target=review,
        changes={"status": review.status, "summary": review.summary, "error": review.error},
    )
    return review.status


# --- decide ---------------------------------------------------------------------------------------


def _locked_review(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("version__api").get(pk=review.pk)


@transaction.atomic
def approve_review(*, actor, review: Review, comment: str = "") -> Review:
    return _decide(actor, review, Review.Status.APPROVED, comment)


@transaction.atomic
def reject_review(*, actor, review: Review, comment: str) -> Review:
    if not (comment or "").strip():
        raise ValidationError({"comment": ["Say why the review is rejected."]})
    return _decide(actor, review, Review.Status.REJECTED, comment)


def _decide(actor, review, status, comment):
    review = _locked_review(review)
    permissions.require_api_reviewer(actor, review.version.api)
    if review.status not in (Review.Status.READY, Review.Status.APPROVED, Review.Status.REJECTED):
        raise ReviewError(
            f"Review #{review.pk} is {review.get_status_display().lower()}; only an analysed review "
            "that is not merged can be approved or rejected."
        )
    before = review.status
    user = permissions.actor_user(actor)
    review.status = status
    review.decided_by = user if user is not None and user.pk else None
    review.decided_at = timezone.now()
    review.decision_comment = comment.strip()
    review.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit.record(
        action=f"review.{'approved' if status == Review.Status.APPROVED else 'rejected'}",
        actor=actor,
        target=review,
        changes={"status": [before, status], "comment": review.decision_comment},
    )
    return review


# --- waivers --------------------------------------------------------------------------------------


@transaction.atomic
def waive_group(*, actor, group: ChangeGroup, reason: str, expires_at, finding: Finding | None = None) -> Waiver:
    """Let a change ship anyway, for a reason, until `expires_at` (reviewers; audited). The waiver
    covers every occurrence of the group, and the same change (same group key) in later reviews of
    the version while it is active. `finding`: the occurrence it was made from, if any."""
    group = ChangeGroup.objects.get(pk=group.pk)
    review = _locked_review(group.review)
    permissions.require_api_reviewer(actor, review.version.api)
    if review.status == Review.Status.MERGED:
        raise ReviewError(f"Review #{review.pk} is merged; its findings can no longer be waived.")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ["Say why this change may ship."]
    if expires_at is None or expires_at <= timezone.now():
        errors["expires_at"] = ["A waiver expires in the future."]
    if errors:
        raise ValidationError(errors)
    user = permissions.actor_user(actor)
    waiver = Waiver.objects.create(
        group=group,
        version_id=review.version_id,
        group_key=group.group_key,
        finding=finding,
        reason=reason.strip(),
        expires_at=expires_at,
        created_by=user if user is not None and user.pk else None,
    )
    audit.record(
        action="waiver.created",
        actor=actor,
        target=waiver,
        changes={
            "review": review.pk,
            "group": group.group_key,
            "finding": finding.pk if finding is not None else None,
            "rule_id": group.rule,
            "level": group.level,
            "occurrences": group.occurrences,
            "reason": waiver.reason,
            "expires_at": expires_at.isoformat(),
        },
    )
    log.info("waiver created", extra={"review": review.pk, "group": group.group_key, "level": group.level})
    return waiver


def waive_finding(*, actor, finding: Finding, reason: str, expires_at) -> Waiver:
    """Waive the change `finding` is an occurrence of (its group: every occurrence)."""
    finding = Finding.objects.select_related("group").get(pk=finding.pk)
    if finding.group is None:
        raise ReviewError("This finding was stored before changes were grouped; submit the spec again to waive it.")
    return waive_group(actor=actor, group=finding.group, reason=reason, expires_at=expires_at, finding=finding)


@transaction.atomic
def revoke_waiver(*, actor, waiver: Waiver) -> Waiver:
    waiver = (
        Waiver.objects.select_for_update(of=("self",))
        .select_related("version__api", "finding__review__version__api")
        .get(pk=waiver.pk)
    )
    version = waiver.version
    if version is None and waiver.finding is not None:  # made before waivers keyed on groups
        version = waiver.finding.review.version
    if version is None:
        raise ReviewError(f"Waiver #{waiver.pk} belongs to no version.")
    permissions.require_api_reviewer(actor, version.api)
    if waiver.revoked_at is not None:
        return waiver
    waiver.revoked_at = timezone.now()
    waiver.save(update_fields=["revoked_at"])
    audit.record(
        action="waiver.revoked",
        actor=actor,
        target=waiver,
        changes={"group": waiver.group_key, "finding": waiver.finding_id},
    )
    return waiver


def active_waivers(now=None):
    return Waiver.objects.active(now)


def unwaived_errors(review: Review, now=None):
    """ERR groups of the review no active waiver covers (one of this review's or of an earlier
    review of the version on the same change)."""
    return review.groups.with_waived(now).filter(level="ERR", waived=False)


# --- merge ----------------------------------------------------------------------------------------


def merge_problems(review: Review, now=None) -> list[str]:
    """Why merging would be refused now ([] when it would go through)."""
    version = review.version
    problems = []
    if review.status != Review.Status.APPROVED:
        problems.append(
            f"Review #{review.pk} is {review.get_status_display().lower()}; only an approved review can be merged."
        )
    if version.published_revision_id != review.base_revision_id:
        problems.append(
            "The published revision changed since this review was analysed: submit the spec again "
            "so it is compared with what is published now."
        )
    if version.state in (LifecycleState.SUNSET, LifecycleState.RETIRED):
        problems.append(f"{version} is {version.state}: its spec is frozen.")
    if version.state in LIVE_STATES:
        count = unwaived_errors(review, now).count()
        if count:
            problems.append(
                f"{version} is {version.state} and {count} breaking change{'s' if count != 1 else ''} (ERR) "
                f"{'remain' if count != 1 else 'remains'} unwaived: a breaking change needs a new major version "
                "or an approved waiver."
            )
    return problems


@transaction.atomic
def merge_review(*, actor, review: Review) -> Review:
    """Publish the review's revision as the version's spec (API owners and platform admins)."""
    review = _locked_review(review)
    version = ApiVersion.objects.select_for_update(of=("self",)).select_related("api").get(pk=review.version_id)
    review.version = version
    permissions.require_api_owner(actor, version.api)
    problems = merge_problems(review)
    if problems:
        raise ReviewError(" ".join(problems))
    before = version.published_revision_id
    version.published_revision_id = review.revision_id
    version.save(update_fields=["published_revision", "updated_at"])
    review.status = Review.Status.MERGED
    review.merged_at = timezone.now()
    review.save(update_fields=["status", "merged_at"])
    audit.record(
        action="review.merged",
        actor=actor,
        target=review,
        changes={
            "version": str(version),
            "published_revision": [before, review.revision_id],
            "waived_errors": review.groups.filter(level="ERR").count(),
        },
    )
    return review


# --- the traffic a breaking change would hit --------------------------------------------------------


def operation_keys(finding: Finding, base_path: str) -> list[str]:
    """How usage metering names the finding's operation: "<METHOD> <path template>", the path as
    the spec writes it ("GET /orders/{id}") or behind the version's base path
    ("GET /payments/v1/orders/{id}"). Document-level findings (no method or path) match nothing."""
    if not finding.operation or not finding.path:
        return []
    method = finding.operation.upper()
    keys = [f"{method} {finding.path}"]
    if base_path and base_path != "/":
        keys.append(f"{method} {base_path.rstrip('/')}{finding.path}")
    return keys


def group_operation_keys(group: ChangeGroup, base_path: str) -> list[str]:
    """The metering names of every operation the group reaches (its labels are "METHOD /path")."""
    keys: list[str] = []
    for label in group.operations:
        method, _, path = label.partition(" ")
        keys += operation_keys(Finding(operation=method, path=path), base_path)
    return keys


def affected_tenants(review: Review, findings, *, now=None) -> dict[int, list[dict]]:
    """For each breaking (ERR) finding: the tenants that called its operation on this version in the
    last 30 days, with their call counts, most calls first. One query for all findings.

    Matching: UsageRecord.api == the API's slug, UsageRecord.version == the version label, and
    UsageRecord.operation equal to one of `operation_keys(finding)`.
    """
    base_path = review.version.base_path
    keys = {f.pk: operation_keys(f, base_path) for f in findings if f.level == "ERR"}
    return _tenants_calling(review.version, keys, now)


def affected_tenants_of_groups(review: Review, groups, *, now=None) -> dict[int, list[dict]]:
    """As `affected_tenants`, per ERR group: the tenants that called any operation it reaches (their
    calls summed over those operations). One query for all groups."""
    base_path = review.version.base_path
    keys = {g.pk: group_operation_keys(g, base_path) for g in groups if g.level == "ERR"}
    return _tenants_calling(review.version, keys, now)


def _tenants_calling(version: ApiVersion, keys_by_finding: dict[int, list[str]], now) -> dict[int, list[dict]]:
    from apikeys.models import UsageRecord

    now = now or timezone.now()
    wanted = {key for keys in keys_by_finding.values() for key in keys}
    result: dict[int, list[dict]] = {pk: [] for pk in keys_by_finding}
    if not wanted:
        return result
    rows = (
        # Whose traffic a change would hit: every tenant's, on purpose (staff see the impact).
        UsageRecord.objects.across_tenants()
        .filter(
            api=version.api.slug, version=version.version, operation__in=wanted, hour__gte=now - AFFECTED_TRAFFIC_WINDOW
        )
        .values("operation", "tenant_id", "tenant__slug", "tenant__name")
        .annotate(calls=Sum("count"))
        .order_by()
    )
    calls: dict[str, dict[int, Any]] = {}
    for row in rows:
        calls.setdefault(row["operation"], {})[row["tenant_id"]] = row
    for pk, keys in keys_by_finding.items():
        per_tenant: dict[int, dict[str, Any]] = {}
        for key in keys:
            for tenant_id, row in calls.get(key, {}).items():
                entry = per_tenant.setdefault(
                    tenant_id,
                    {"tenant_id": tenant_id, "slug": row["tenant__slug"], "name": row["tenant__name"], "calls": 0},
                )
                entry["calls"] += row["calls"]
        result[pk] = sorted(per_tenant.values(), key=lambda e: (-e["calls"], e["slug"]))
    return result
