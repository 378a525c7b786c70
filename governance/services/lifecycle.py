"""The lifecycle of an API version, one service per transition, each with its guards.

    draft ──▶ preview ──▶ active ──▶ deprecated ──▶ sunset ──▶ retired
                 │  └──────────────────▲ │  ▲
                 │                       ▼  │ (un-deprecate, before sunset)
                 └──▶ retired (abandon)   active

Deprecation also applies to a preview version (the policy gives previews their own, shorter
notice: min_notice_days_preview, oasdiff's beta deprecation days); un-deprecating returns the
version to active.

Guards (policy per API, defaults from oasdiff's):
- preview / activate: the version has a published spec revision (a merged review);
- deprecate: a DeprecationSchedule with a sunset date in the future, whose notice (deprecated_at →
  sunset_at) is at least min_notice_days_preview / min_notice_days_active for the state the version
  leaves, and, for an active version (require_successor_for_active), a successor version of the
  same API that is in preview or active;
- un-deprecate: before the schedule's sunset date;
- sunset: the schedule's sunset date has passed;
- retire: not before the schedule's sunset date (abandoning a preview needs no schedule).

Each guard refuses with a sentence saying why (LifecycleError, a 409 conflict in the API and a
message in the admin). `check_transition` runs the same guards without changing anything: the
admin's confirmation page shows its answer before anyone confirms.

The schedule is kept when a version is un-deprecated (its history, notices and ledger stay); the
version's state is what says whether it is deprecated now.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from governance import permissions
from governance.models import ApiVersion, DeprecationSchedule, LifecycleState
from tenants import audit
from tenants.services.errors import ServiceError

S = LifecycleState


class LifecycleError(ServiceError):
    """A transition refused by a guard; the detail says why."""


Guard = Callable[[ApiVersion, datetime], str | None]


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    guards: tuple[Guard, ...]
    help: str

    def allowed_from(self, state: str) -> bool:
        return state in self.sources


# --- guards: each returns None when satisfied, else the reason ------------------------------------


def _schedule(version: ApiVersion) -> DeprecationSchedule | None:
    try:
        return version.deprecation
    except DeprecationSchedule.DoesNotExist:
        return None


def has_published_revision(version, now):
    if version.published_revision_id is None:
        return (
            f"{version} has no published spec revision: submit a spec for review and merge it before "
            "the version is offered to anyone."
        )
    return None


def has_schedule_with_sunset(version, now):
    schedule = _schedule(version)
    if schedule is None or schedule.sunset_at is None:
        return f"{version} has no deprecation schedule with a sunset date: schedule the deprecation first."
    if schedule.sunset_at <= now:
        return f"The sunset date of {version} ({schedule.sunset_at:%Y-%m-%d %H:%M} UTC) is already past."
    return None


def notice_is_long_enough(version, now):
    schedule = _schedule(version)
    if schedule is None:
        return None  # reported by has_schedule_with_sunset
    api = version.api
    required = api.min_notice_days_active if version.state == S.ACTIVE else api.min_notice_days_preview
    notice = schedule.sunset_at - schedule.deprecated_at
    if notice < timedelta(days=required):
        return (
            f"The notice between deprecation ({schedule.deprecated_at:%Y-%m-%d}) and sunset "
            f"({schedule.sunset_at:%Y-%m-%d}) is {notice.days} days; the policy of {api.slug} requires at least "
            f"{required} days for a{'n' if version.state == S.ACTIVE else ''} {version.state} version."
        )
    return None


def has_successor_if_active(version, now):
    if version.state != S.ACTIVE or not version.api.require_successor_for_active:
        return None
    schedule = _schedule(version)
    if schedule is None:
        return None
    successor = schedule.successor
    if successor is None:
        return f"{version} is active: its deprecation needs a successor version for clients to move to."
    if successor.pk == version.pk or successor.api_id != version.api_id:
        return f"The successor of {version} must be another version of the API {version.api.slug}."
    if successor.state not in (S.PREVIEW, S.ACTIVE):
        return f"The successor {successor} is {successor.state}; it must be in preview or active."
    return None


def before_sunset(version, now):
    schedule = _schedule(version)
    if schedule is not None and schedule.sunset_at <= now:
        return (
            f"{version} passed its sunset date ({schedule.sunset_at:%Y-%m-%d %H:%M} UTC): "
            "it can no longer be un-deprecated."
        )
    return None


def sunset_has_passed(version, now):
    schedule = _schedule(version)
    if schedule is None:
        return f"{version} has no deprecation schedule, so no sunset date."
    if schedule.sunset_at > now:
        return f"{version} can't be sunset or retired before its sunset date ({schedule.sunset_at:%Y-%m-%d %H:%M} UTC)."
    return None


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "preview",
            "Open for preview",
            frozenset({S.DRAFT}),
            S.PREVIEW,
            (has_published_revision,),
            "Partners may try the version; it may still change.",
        ),
        Transition(
            "activate",
            "Activate",
            frozenset({S.PREVIEW}),
            S.ACTIVE,
            (has_published_revision,),
            "The version becomes generally available: breaking changes are no longer accepted.",
        ),
        Transition(
            "deprecate",
            "Deprecate",
            frozenset({S.PREVIEW, S.ACTIVE}),
            S.DEPRECATED,
            (has_schedule_with_sunset, notice_is_long_enough, has_successor_if_active),
            "Clients get Deprecation / Sunset headers and notices following the schedule.",
        ),
        Transition(
            "undeprecate",
            "Un-deprecate",
            frozenset({S.DEPRECATED}),
            S.ACTIVE,
            (before_sunset,),
            "The version is active again; the schedule stops applying.",
        ),
        Transition(
            "sunset",
            "Sunset",
            frozenset({S.DEPRECATED}),
            S.SUNSET,
            (sunset_has_passed,),
            "Calls are answered 410 Gone (tenants with an exemption excepted).",
        ),
        Transition(
            "retire", "Retire", frozenset({S.SUNSET}), S.RETIRED, (sunset_has_passed,), "The version is gone for good."
        ),
        Transition(
            "abandon",
            "Abandon preview",
            frozenset({S.PREVIEW}),
            S.RETIRED,
            (),
            "The preview never becomes active; it is retired at once.",
        ),
    ]
}


def check_transition(version: ApiVersion, name: str, *, now: datetime | None = None) -> list[str]:
    """The reasons the transition would be refused now ([] when it would go through)."""
    transition = TRANSITIONS[name]
    now = now or timezone.now()
    if not transition.allowed_from(version.state):
        allowed = ", ".join(sorted(transition.sources))
        return [f"{version} is {version.state}; “{transition.label}” applies only to a version that is {allowed}."]
    return [reason for guard in transition.guards if (reason := guard(version, now))]


@transaction.atomic
def apply_transition(*, actor, version: ApiVersion, name: str) -> ApiVersion:
    """Move `version` along `name` if the actor may and every guard agrees; audited."""
    transition = TRANSITIONS[name]
    version = (
        ApiVersion.objects.select_for_update(of=("self",))
        .select_related("api", "deprecation__successor")
        .get(pk=version.pk)
    )
    permissions.require_api_owner(actor, version.api)
    problems = check_transition(version, name)
    if problems:
        raise LifecycleError(" ".join(problems))
    before = version.state
    version.state = transition.target
    version.state_changed_at = timezone.now()
    version.save(update_fields=["state", "state_changed_at", "updated_at"])
    audit.record(action=f"api_version.{name}", actor=actor, target=version, changes={"state": [before, version.state]})
    return version


def to_preview(*, actor, version):
    return apply_transition(actor=actor, version=version, name="preview")


def activate(*, actor, version):
    return apply_transition(actor=actor, version=version, name="activate")


def deprecate(*, actor, version):
    return apply_transition(actor=actor, version=version, name="deprecate")


def undeprecate(*, actor, version):
    return apply_transition(actor=actor, version=version, name="undeprecate")


def sunset(*, actor, version):
    return apply_transition(actor=actor, version=version, name="sunset")


def retire(*, actor, version):
    return apply_transition(actor=actor, version=version, name="retire")


def abandon(*, actor, version):
    return apply_transition(actor=actor, version=version, name="abandon")
