"""The audit trail: one hash-chained, append-only event per state change, written by services in
their own transaction (never by signals, which miss QuerySet.update())."""

from django.db import transaction
from django.utils import timezone

from config.middleware import current_client_ip, current_request_id
from tenants.models import AuditChainHead, AuditEvent
from tenants.models.audit import GENESIS_HASH

PLATFORM_CHAIN = "platform"


def chain_for(tenant) -> str:
    return f"tenant:{tenant.pk}" if tenant is not None else PLATFORM_CHAIN


def record(*, action: str, actor, tenant=None, target=None, changes: dict | None = None) -> AuditEvent:
    """Append one event. `actor` is a Principal (or None for the system)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the service's transaction")
    chain = chain_for(tenant)
    # Make sure the chain head exists without breaking the transaction on a concurrent insert.
    AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
    head = AuditChainHead.objects.select_for_update().get(chain=chain)
    user = getattr(actor, "user", None)
    event = AuditEvent(
        chain=chain,
        seq=head.seq + 1,
        created_at=timezone.now(),
        tenant=tenant,
        actor=user if user is not None and user.pk else None,
        actor_label=actor.actor_label if actor is not None else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        changes=changes or {},
        request_id=current_request_id() if current_request_id() != "-" else "",
        ip=current_client_ip(),
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    head.seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["seq", "last_hash"])
    return event


def verify_chain(chain: str):
    """Walk one chain in order; return (checked, first_problem) where first_problem is None or a
    description of the first broken link."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.across_tenants().filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return checked, f"{chain}: event #{expected_seq} is missing (next found is #{event.seq}, id {event.pk})"
        if event.prev_hash != expected_prev:
            return checked, f"{chain}: event #{event.seq} (id {event.pk}) does not link to the previous event"
        if event.compute_hash() != event.hash:
            return checked, f"{chain}: event #{event.seq} (id {event.pk}) was altered after it was written"
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and head.seq != expected_seq - 1:
        return checked, f"{chain}: the chain ends at #{expected_seq - 1} but {head.seq} events were written"
    return checked, None


def verify_all():
    """Verify every chain. Returns (events_checked, problems)."""
    chains = set(AuditChainHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEvent.objects.across_tenants().values_list("chain", flat=True).distinct())
    total, problems = 0, []
    for chain in sorted(chains):
        checked, problem = verify_chain(chain)
        total += checked
        if problem:
            problems.append(problem)
    return total, problems
