"""The audit trail's hash chains: intact after real changes, refused by PostgreSQL when rewritten,
caught by `verify_audit` when someone gets round that, and unforked under concurrent writers."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from tenants import audit, services
from tenants.models import AuditChainHead, AuditEvent
from tenants.principal import Principal
from tenants.roles import Role
from tests.factories import TenantFactory, UserFactory

TRIGGER = "tenants_auditevent_no_update_delete"


def verify_audit():
    """Run the command; (exit code, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def history(acme, owner):
    """Five events in acme's chain and one in a second tenant's."""
    actor = Principal.for_member(owner, acme, Role.OWNER)
    for n in range(1, 5):
        services.update_tenant(actor=actor, tenant=acme, name=f"Acme {n}")
    services.invite_member(actor=actor, email="dora@example.test")
    services.create_tenant(actor=Principal.system(), slug="globex", name="Globex")
    return AuditEvent.objects.across_tenants().filter(tenant=acme).order_by("seq")


def test_verify_audit_passes_on_an_untouched_trail(history):
    code, out, err = verify_audit()
    assert code == 0, err
    assert f"{AuditEvent.objects.across_tenants().count()} events checked" in out
    assert AuditEvent.objects.across_tenants().count() == 6


def test_events_cannot_be_changed_or_deleted_through_the_orm(history):
    event = history[0]
    event.action = "tenant.hidden"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE tenants_auditevent SET action = 'tenant.hidden' WHERE id = %s",
        "DELETE FROM tenants_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_raw_update_and_delete(history, statement):
    event = history[1]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.across_tenants().get(pk=event.pk).action == event.action


@pytest.fixture
def trigger_disabled(history):
    """Someone with the table owner's rights switches the trigger off (rolled back with the test)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE tenants_auditevent DISABLE TRIGGER {TRIGGER}")
    yield connection
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE tenants_auditevent ENABLE TRIGGER {TRIGGER}")


def test_verify_audit_reports_an_altered_event(history, trigger_disabled):
    third = history[2]
    with connection.cursor() as cursor:
        cursor.execute('UPDATE tenants_auditevent SET changes = \'{"name": "rewritten"}\' WHERE id = %s', [third.pk])
    code, _out, err = verify_audit()
    assert code == 1
    assert f"tenant:{third.tenant_id}: event #3 (id {third.pk}) was altered" in err
    assert "Checked" in err


def test_verify_audit_reports_a_deleted_event(history, trigger_disabled):
    second = history[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tenants_auditevent WHERE id = %s", [second.pk])
    code, _out, err = verify_audit()
    assert code == 1
    assert f"tenant:{second.tenant_id}: event #2 is missing" in err


def test_verify_audit_reports_a_rehashed_event_that_no_longer_links(history, trigger_disabled):
    # A careful forger recomputes the altered event's own hash; the next event still points at
    # the old one, so the chain breaks right after it.
    second = history[1]
    second.action = "tenant.hidden"
    forged_hash = second.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenants_auditevent SET action = %s, hash = %s WHERE id = %s",
            ["tenant.hidden", forged_hash, second.pk],
        )
    code, _out, err = verify_audit()
    assert code == 1
    assert f"event #3 (id {history[2].pk}) does not link to the previous event" in err


def test_verify_audit_reports_a_truncated_chain(history, trigger_disabled):
    last = history.last()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tenants_auditevent WHERE id = %s", [last.pk])
    code, _out, err = verify_audit()
    assert code == 1
    assert f"the chain ends at #{last.seq - 1} but {last.seq} events were written" in err


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    tenant = TenantFactory(slug="busy")
    users = [UserFactory(email=f"writer{n}@busy.test") for n in range(2)]
    per_thread = 15
    start = threading.Barrier(2)
    errors = []

    def writer(user):
        actor = Principal.for_member(user, tenant, Role.OWNER)
        try:
            start.wait()
            for n in range(per_thread):
                with transaction.atomic():
                    audit.record(action="test.appended", actor=actor, tenant=tenant, target=tenant, changes={"n": n})
        except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    chain = audit.chain_for(tenant)
    assert list(
        AuditEvent.objects.across_tenants().filter(chain=chain).order_by("seq").values_list("seq", flat=True)
    ) == list(range(1, 2 * per_thread + 1))
    assert {e.actor_id for e in AuditEvent.objects.across_tenants().filter(chain=chain)} == {u.pk for u in users}
    assert audit.verify_chain(chain) == (2 * per_thread, None)
    assert AuditChainHead.objects.get(chain=chain).seq == 2 * per_thread


# Every column of an event, and a rewrite of it that someone with the table owner's rights could
# make. Each must break the hash (the columns the chain itself is made of are covered above: a
# changed seq or prev_hash no longer links, a changed hash no longer matches).
TAMPERED_COLUMNS = {
    "actor_id": "(SELECT max(id) FROM tenants_user WHERE email = 'forger@acme.test')",
    "actor_label": "'someone else'",
    "tenant_id": "(SELECT id FROM tenants_tenant WHERE slug = 'globex')",
    "ip": "'203.0.113.7'",
    "created_at": "created_at + interval '1 second'",
    "target_type": "'tenants.membership'",
    "target_id": "'999999'",
    "target_repr": "'an innocent object'",
    "request_id": "'forged-request-id'",
    "action": "'tenant.viewed'",
    "changes": '\'{"name": ["Acme 1", "Acme 1"]}\'::jsonb',
}
CHAIN_COLUMNS = {"id", "chain", "seq", "prev_hash", "hash"}


def test_the_tamper_test_covers_every_column_of_an_event():
    """A new column of AuditEvent must be hashed and listed above (or the hash would not cover it)."""
    columns = {field.column for field in AuditEvent._meta.concrete_fields}
    assert columns == set(TAMPERED_COLUMNS) | CHAIN_COLUMNS


@pytest.mark.parametrize("column", sorted(TAMPERED_COLUMNS))
def test_verify_audit_reports_a_rewrite_of_any_single_field(history, trigger_disabled, column):
    UserFactory(email="forger@acme.test")
    second = history[1]
    read = f"SELECT {column}::text FROM tenants_auditevent WHERE id = %s"  # noqa: S608  (names from the table above)
    with connection.cursor() as cursor:
        cursor.execute(read, [second.pk])
        before = cursor.fetchone()[0]
        cursor.execute(
            f"UPDATE tenants_auditevent SET {column} = {TAMPERED_COLUMNS[column]} WHERE id = %s",  # noqa: S608
            [second.pk],
        )
        cursor.execute(read, [second.pk])
        assert cursor.fetchone()[0] != before  # the rewrite really changed the stored value

    code, _out, err = verify_audit()

    assert code == 1, f"rewriting {column} went unnoticed"
    assert f"tenant:{second.tenant_id}: event #2 (id {second.pk}) was altered after it was written" in err
