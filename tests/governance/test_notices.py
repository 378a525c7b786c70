"""Deprecation notices: which milestones are due when, who is told, and each milestone at most once
per tenant however often the task runs — including runs that die mid-way (in-process seams here;
a real Celery worker killed with SIGKILL in test_celery_worker.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from governance.models import DeprecationNotice, MigrationLedgerEntry, WebhookDelivery
from governance.services import deprecations, notices, webhooks
from tenants.principal import Principal
from tests.governance.deprecation_fixtures import ANNOUNCED, BROWNOUT_START, SUNSET, T0, add_traffic

pytestmark = pytest.mark.django_db
LEASE = timedelta(seconds=600)


class Died(Exception):
    """Stands for a worker dying at a given point of a run."""


def die_at(stage):
    def hook(reached, notice):
        if reached == stage:
            raise Died(stage)

    return hook


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (ANNOUNCED - timedelta(seconds=1), []),
        (T0, ["announcement"]),
        (SUNSET - timedelta(days=90), ["announcement", "sunset-90d"]),
        (SUNSET - timedelta(days=29), ["announcement", "sunset-30d"]),  # only the nearest countdown
        (SUNSET - timedelta(hours=1), ["announcement", "sunset-1d"]),
        (SUNSET, ["announcement", "sunset"]),
    ],
)
def test_due_milestones(schedule, instant, expected):
    assert notices.due_milestones(schedule, instant) == expected


def test_a_brownout_is_announced_before_it_starts(schedule):
    window = schedule.brownouts.get()
    assert f"brownout:{window.pk}" in notices.due_milestones(schedule, BROWNOUT_START - timedelta(days=2))
    assert f"brownout:{window.pk}" not in notices.due_milestones(schedule, BROWNOUT_START - timedelta(days=4))


@pytest.fixture
def calling(schedule, payments_v1, acme, owner, admin_member, developer, viewer, globex, outsider):
    """acme called v1 a week before T0; globex called it 40 days before (outside the window)."""
    add_traffic(acme, payments_v1, at=T0 - timedelta(days=7))
    add_traffic(globex, payments_v1, at=T0 - timedelta(days=40))
    return schedule


def test_owners_and_admins_of_tenants_with_recent_traffic_are_told_once(calling, acme, mailoutbox):
    with time_machine.travel(T0, tick=False):
        first = notices.run()
        second = notices.run()
    assert (first.claimed, first.sent, second.claimed, second.sent) == (1, 1, 0, 0)
    [mail] = mailoutbox
    assert sorted(mail.to) == ["adam@acme.test", "alice@acme.test"]  # not the developer, viewer or globex
    assert "payments v1 is deprecated" in mail.subject
    assert "/payments/v2" in mail.body and "https://docs.example.test/payments/v2" in mail.body
    notice = DeprecationNotice.objects.across_tenants().get()
    assert (notice.tenant, notice.milestone, notice.status) == (acme, "announcement", "sent")
    assert notice.emailed_at and notice.webhooks_enqueued_at and notice.sent_at
    entry = MigrationLedgerEntry.objects.across_tenants().get()
    assert (entry.tenant, entry.state) == (acme, "notified") and entry.notified_at is not None


def test_each_later_milestone_is_sent_once_too(calling, acme, payments_v1, mailoutbox):
    for instant in [T0, SUNSET - timedelta(days=90), SUNSET - timedelta(days=89), SUNSET - timedelta(days=30)]:
        add_traffic(acme, payments_v1, at=instant - timedelta(days=1))  # still calling
        with time_machine.travel(instant, tick=False):
            notices.run()
    assert [m.subject.split("] ")[1] for m in mailoutbox] == [
        "payments v1 is deprecated",
        "payments v1 sunsets in 90 days",
        "payments v1 sunsets in 30 days",
    ]


def test_a_tenant_whose_traffic_stopped_over_30_days_ago_hears_no_more(calling, mailoutbox):
    with time_machine.travel(T0, tick=False):
        notices.run()
    with time_machine.travel(SUNSET - timedelta(days=90), tick=False):
        assert notices.run().claimed == 0
    assert len(mailoutbox) == 1


def test_a_version_that_is_not_deprecated_notifies_nobody(calling, payments_v1, mailoutbox):
    payments_v1.state = "active"
    payments_v1.save()
    with time_machine.travel(T0, tick=False):
        assert notices.run().claimed == 0
    assert mailoutbox == []


def test_the_notice_also_goes_to_the_tenants_webhooks_once(calling, acme):
    with transaction.atomic():
        webhooks.create_endpoint(actor=Principal.system(acme), url="https://93.184.215.14/hooks")
    with time_machine.travel(T0, tick=False):
        notices.run()
        notices.run()
    delivery = WebhookDelivery.objects.across_tenants().get()
    assert delivery.event_type == "deprecation.milestone"
    assert delivery.payload["data"]["milestone"] == "announcement"
    assert delivery.payload["data"]["successor"] == {"version": "v2", "base_path": "/payments/v2"}


def test_a_run_that_died_after_claiming_is_resumed_once_the_lease_expires(calling, mailoutbox):
    with time_machine.travel(T0, tick=False), pytest.raises(Died):
        notices.run(hook=die_at("claimed"))
    notice = DeprecationNotice.objects.across_tenants().get()
    assert (notice.status, notice.emailed_at) == ("claimed", None) and mailoutbox == []

    with time_machine.travel(T0 + LEASE - timedelta(seconds=1), tick=False):
        assert notices.run().resumed == 0  # the claim may still be someone's live work
    assert mailoutbox == []

    with time_machine.travel(T0 + LEASE + timedelta(seconds=1), tick=False):
        resumed = notices.run()
        again = notices.run()
    assert (resumed.resumed, resumed.claimed, again.resumed, again.claimed) == (1, 0, 0, 0)
    assert len(mailoutbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)


def test_two_runs_racing_for_a_stale_claim_resume_it_once(calling, mailoutbox):
    with time_machine.travel(T0, tick=False), pytest.raises(Died):
        notices.run(hook=die_at("claimed"))
    stale = DeprecationNotice.objects.across_tenants().get()
    later = T0 + LEASE * 2
    assert notices.take_over(stale, later) is True
    assert notices.take_over(stale, later) is False  # the second taker sees the renewed lease


def test_dying_between_the_email_and_its_record_resends_it_the_chosen_trade_off(calling, mailoutbox):
    """At-least-once for the one round trip between SMTP accepting the e-mail and the UPDATE of
    emailed_at (see governance/services/notices.py): the resumed run sends it again. Everything
    before (claim) and after (webhooks, which carry the same webhook-id) is never repeated."""
    with time_machine.travel(T0, tick=False), pytest.raises(Died):
        notices.run(hook=die_at("emailed"))
    with time_machine.travel(T0 + LEASE * 2, tick=False):
        notices.run()
    assert len(mailoutbox) == 2
    assert DeprecationNotice.objects.across_tenants().get().status == "sent"


def test_a_deprecation_announced_inside_the_countdown_sends_the_announcement_then_only_the_milestones_ahead(
    payments_v1, payments_v2, acme, owner, mailoutbox
):
    """Announced 10 days before sunset: the 90- and 30-day points passed before anyone was told, so
    the announcement covers them; the 7- and 1-day notices and the sunset follow, each once."""
    announced = SUNSET - timedelta(days=10)
    with transaction.atomic():
        late = deprecations.create_schedule(
            actor=Principal.system(),
            version=payments_v1,
            announced_at=announced,
            deprecated_at=announced,
            sunset_at=SUNSET,
            successor=payments_v2,
        )
    add_traffic(acme, payments_v1, at=announced - timedelta(days=1))  # within 30 days of every run below
    runs = [
        announced,
        announced + timedelta(hours=1),
        SUNSET - timedelta(days=8),
        SUNSET - timedelta(days=7),
        SUNSET - timedelta(days=6),
        SUNSET - timedelta(days=1),
        SUNSET - timedelta(hours=1),
        SUNSET,
        SUNSET + timedelta(hours=1),
    ]
    sent_per_run = []
    for instant in runs:
        with time_machine.travel(instant, tick=False):
            sent_per_run.append(notices.run().sent)

    assert sent_per_run == [1, 0, 0, 1, 0, 1, 0, 1, 0]
    assert [m.subject.split("] ")[1] for m in mailoutbox] == [
        "payments v1 is deprecated",
        "payments v1 sunsets in 7 days",
        "payments v1 sunsets in 1 day",
        "payments v1 has been sunset",
    ]
    assert sorted(
        DeprecationNotice.objects.across_tenants().filter(schedule=late).values_list("milestone", "status")
    ) == [
        ("announcement", "sent"),
        ("sunset", "sent"),
        ("sunset-1d", "sent"),
        ("sunset-7d", "sent"),
    ]
