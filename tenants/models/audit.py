import hashlib
import json

from django.db import models

from tenants.querysets import AuditEventQuerySet

GENESIS_HASH = "0" * 64


class AuditChainHead(models.Model):
    """The last link of one hash chain (one chain per tenant, one for the platform).

    Appending locks this row (SELECT ... FOR UPDATE), so concurrent writers of one tenant queue up
    and never fork the chain, while different tenants append in parallel.
    """

    chain = models.CharField(max_length=64, unique=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"{self.chain} @ {self.seq}"


class AuditEvent(models.Model):
    """One state change: who did what to which object, when, from where. Append-only.

    Each event stores the hash of the previous event of its chain and its own hash over its content,
    so an edited, inserted or deleted row breaks the chain (`manage.py verify_audit` finds it).
    Actor and tenant are kept as plain ids without foreign-key constraints so deleting a user never
    rewrites history.
    """

    chain = models.CharField(max_length=64, editable=False)
    seq = models.BigIntegerField(editable=False)
    created_at = models.DateTimeField(editable=False, db_index=True)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        "tenants.User", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_unique_chain_seq")]
        indexes = [models.Index(fields=["tenant", "-created_at"]), models.Index(fields=["tenant", "action"])]

    def __str__(self):
        return f"{self.action} by {self.actor_label or 'system'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    def content(self) -> dict:
        """The hashed content: everything but the hash itself."""
        return {
            "chain": self.chain,
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "tenant_id": self.tenant_id,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "changes": self.changes,
            "request_id": self.request_id,
            "ip": self.ip,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()
