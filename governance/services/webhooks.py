"""Tenants' webhook endpoints, and the deliveries made to them.

Registration checks the URL against the address policy (governance/webhooks/ssrf.py) and answers
the signing secret once; only its encryption is stored (config/crypto.py, re-encrypted under a new
SECRET_KEY by `reencrypt_secrets`). Events are enqueued idempotently:
the delivery's message id (its `webhook-id`) is derived from the event's key and the endpoint, and
unique, so enqueueing the same event twice makes one delivery. Each delivery is attempted by a
Celery task (governance/tasks/deprecations.py) that retries failures with exponential backoff; the
URL is checked again before every attempt and the connection goes only to the checked address.
"""

import functools
import hashlib
import json
import logging

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config import crypto
from config.celery import enqueue
from governance.models import WebhookDelivery, WebhookEndpoint
from governance.webhooks import signing, ssrf, transport
from tenants import audit
from tenants.services.errors import ServiceError, require, require_own

log = logging.getLogger(__name__)

EVENT_TYPES = {
    "deprecation.milestone": "A deprecation affecting you reached a milestone (announcement, 90/30/7/1 days "
    "before sunset, a coming brownout, the sunset).",
    "webhook.test": "A test event sent from the portal or the API.",
}
MAX_ENDPOINTS_PER_TENANT = 20


def _check_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError({"url": ["Enter a full http(s) URL."]}) from None
    if len(url) > 500:
        raise ValidationError({"url": ["The URL is longer than 500 characters."]})
    try:
        ssrf.check_url(url)
    except ssrf.UnsafeURL as exc:
        raise ValidationError({"url": [str(exc)]}) from None
    return url


def _check_event_types(event_types) -> list[str]:
    event_types = sorted(set(event_types or []))
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise ValidationError({"event_types": [f"Unknown event type(s): {', '.join(unknown)}."]})
    return event_types


@transaction.atomic
def create_endpoint(*, actor, url: str, description: str = "", event_types=()) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns (endpoint, secret). The secret is never shown again."""
    require(actor, "webhooks.manage")
    url = _check_url(url)
    event_types = _check_event_types(event_types)
    if WebhookEndpoint.objects.for_tenant(actor.tenant).count() >= MAX_ENDPOINTS_PER_TENANT:
        raise ServiceError(f"A tenant may register at most {MAX_ENDPOINTS_PER_TENANT} webhook endpoints.")
    secret = signing.generate_secret()
    endpoint = WebhookEndpoint.objects.create(
        tenant=actor.tenant,
        url=url,
        description=description.strip()[:200],
        secret_encrypted=signing.encrypt_secret(secret),
        event_types=event_types,
    )
    audit.record(
        action="webhook.created",
        actor=actor,
        tenant=actor.tenant,
        target=endpoint,
        changes={"url": url, "event_types": event_types},
    )
    return endpoint, secret


def _scoped(actor, endpoint) -> WebhookEndpoint:
    """The endpoint, re-read inside the transaction and only if it belongs to the actor's tenant."""
    require_own(actor, endpoint)
    found = WebhookEndpoint.objects.for_principal(actor).select_for_update().filter(pk=endpoint.pk).first()
    if found is None:
        raise WebhookEndpoint.DoesNotExist
    return found


@transaction.atomic
def update_endpoint(*, actor, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    require(actor, "webhooks.manage")
    endpoint = _scoped(actor, endpoint)
    if "url" in changes:
        changes["url"] = _check_url(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = _check_event_types(changes["event_types"])
    if "description" in changes:
        changes["description"] = (changes["description"] or "").strip()[:200]
    diff = {}
    for name in ("url", "description", "event_types", "is_active"):
        if name in changes and getattr(endpoint, name) != changes[name]:
            diff[name] = [getattr(endpoint, name), changes[name]]
            setattr(endpoint, name, changes[name])
    if diff:
        endpoint.save()
        audit.record(action="webhook.changed", actor=actor, tenant=endpoint.tenant, target=endpoint, changes=diff)
    return endpoint


@transaction.atomic
def rotate_secret(*, actor, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    require(actor, "webhooks.manage")
    endpoint = _scoped(actor, endpoint)
    secret = signing.generate_secret()
    endpoint.secret_encrypted = signing.encrypt_secret(secret)
    endpoint.save(update_fields=["secret_encrypted"])
    audit.record(action="webhook.secret_rotated", actor=actor, tenant=endpoint.tenant, target=endpoint)
    return endpoint, secret


@transaction.atomic
def delete_endpoint(*, actor, endpoint: WebhookEndpoint) -> None:
    require(actor, "webhooks.manage")
    endpoint = _scoped(actor, endpoint)
    audit.record(
        action="webhook.deleted", actor=actor, tenant=endpoint.tenant, target=endpoint, changes={"url": endpoint.url}
    )
    endpoint.delete()


def reencrypt_secrets() -> crypto.Reencrypted:
    """Rewrite every stored signing secret that is under a SECRET_KEY_FALLBACKS key under SECRET_KEY
    (`manage.py reencrypt_secrets`, after a SECRET_KEY rotation). Idempotent. No audit event: the
    secrets themselves don't change, only the key they are stored under."""
    result = crypto.reencrypt(WebhookEndpoint.objects.across_tenants(), "secret_encrypted", signing.SECRETS)
    log.info(
        "Webhook secrets re-encrypted: %s checked, %s rewritten, %s unreadable",
        result.checked,
        result.rewritten,
        len(result.unreadable),
        extra={
            "event": "webhook.secrets_reencrypted",
            "checked": result.checked,
            "rewritten": result.rewritten,
            "unreadable": len(result.unreadable),
        },
    )
    return result


def message_id(event_key: str, endpoint_id: int) -> str:
    """The webhook-id: the same event to the same endpoint always gets the same id."""
    return "msg_" + hashlib.sha256(f"{event_key}|{endpoint_id}".encode()).hexdigest()[:32]


def enqueue_event(*, tenant, event_type: str, data: dict, event_key: str) -> list[WebhookDelivery]:
    """One delivery per active endpoint of `tenant` subscribed to `event_type`; idempotent per
    `event_key`. Delivery tasks start after commit."""
    if event_type not in EVENT_TYPES:  # a programming error: never an assert (`python -O` drops those)
        raise ValueError(f"Unknown webhook event type {event_type!r}; known: {', '.join(sorted(EVENT_TYPES))}")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.for_tenant(tenant).filter(is_active=True)
        if not e.event_types or event_type in e.event_types
    ]
    if not endpoints:
        return []
    envelope = {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}
    ids = [message_id(event_key, e.pk) for e in endpoints]
    with transaction.atomic():
        existing = set(
            WebhookDelivery.objects.for_tenant(tenant).filter(message_id__in=ids).values_list("message_id", flat=True)
        )
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(endpoint=e, tenant=tenant, message_id=mid, event_type=event_type, payload=envelope)
                for e, mid in zip(endpoints, ids, strict=True)
                if mid not in existing
            ],
            ignore_conflicts=True,
        )
        deliveries = list(WebhookDelivery.objects.for_tenant(tenant).filter(message_id__in=set(ids) - existing))
        for delivery in deliveries:
            transaction.on_commit(functools.partial(schedule_delivery, delivery.pk))
    return deliveries


def schedule_delivery(delivery_id: int, countdown: int = 0) -> None:
    enqueue("governance.deliver_webhook", delivery_id, countdown=countdown)


@transaction.atomic
def send_test_event(*, actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    require(actor, "webhooks.manage")
    endpoint = _scoped(actor, endpoint)
    envelope = {
        "type": "webhook.test",
        "timestamp": timezone.now().isoformat(),
        "data": {"tenant": endpoint.tenant.slug, "endpoint": endpoint.pk},
    }
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        tenant=endpoint.tenant,
        message_id=message_id(f"test|{timezone.now().timestamp()}", endpoint.pk),
        event_type="webhook.test",
        payload=envelope,
    )
    transaction.on_commit(lambda: schedule_delivery(delivery.pk))
    return delivery


@transaction.atomic
def retry_delivery(*, actor, delivery: WebhookDelivery) -> bool:
    """Send a failed, given-up or refused delivery again (the staff console). False, and nothing
    written, when it is no longer retryable."""
    require(actor, "webhooks.manage")
    require_own(actor, delivery)
    queued = (
        WebhookDelivery.objects.for_principal(actor)
        .retryable()
        .filter(pk=delivery.pk)
        .update(status=WebhookDelivery.Status.PENDING)
    )
    if not queued:
        return False
    audit.record(
        action="webhook.delivery_retried",
        actor=actor,
        tenant=delivery.tenant,
        target=delivery,
        changes={"status": [delivery.status, WebhookDelivery.Status.PENDING.value]},
    )
    transaction.on_commit(functools.partial(schedule_delivery, delivery.pk))
    return True


# --- one attempt ---------------------------------------------------------------------------------

SUCCEEDED, RETRY, GAVE_UP, REFUSED, SKIPPED = "succeeded", "retry", "gave_up", "refused", "skipped"


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def _record(delivery, status, *, code=None, error="", delivered=False):
    WebhookDelivery.objects.for_tenant(delivery.tenant_id).filter(pk=delivery.pk).update(
        status=status,
        attempts=F("attempts") + 1,
        last_status_code=code,
        last_error=error[:500],
        delivered_at=timezone.now() if delivered else None,
    )


def attempt_delivery(delivery_id: int, *, final: bool = False) -> str:
    """POST the delivery once. Returns the outcome; RETRY means the caller should try again later
    (`final`: this was the last allowed attempt, so a failure gives up instead)."""
    # The delivery task takes an id (whichever tenant it is for): the one cross-tenant read here.
    delivery = WebhookDelivery.objects.across_tenants().select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.SUCCEEDED,
        WebhookDelivery.Status.GAVE_UP,
        WebhookDelivery.Status.REFUSED,
    ):
        return SKIPPED
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        _record(delivery, WebhookDelivery.Status.GAVE_UP, error="The endpoint is disabled.")
        return GAVE_UP
    try:
        target = ssrf.check_url(endpoint.url)
    except ssrf.UnsafeURL as exc:
        # Checked again at delivery: DNS may have changed since registration. Not retried.
        _record(delivery, WebhookDelivery.Status.REFUSED, error=str(exc))
        return REFUSED
    body = body_of(delivery)
    try:
        secret = signing.decrypt_secret(endpoint.secret_encrypted)
    except signing.SecretUnreadable as exc:
        _record(delivery, WebhookDelivery.Status.GAVE_UP, error=str(exc))
        return GAVE_UP
    headers = signing.signed_headers(secret, delivery.message_id, int(timezone.now().timestamp()), body)
    code, error = None, ""
    try:
        answer = transport.post(target, body, headers)
    except transport.TransportError as exc:
        error = str(exc)
    else:
        code = answer.status
        if 200 <= code < 300:
            _record(delivery, WebhookDelivery.Status.SUCCEEDED, code=code, delivered=True)
            return SUCCEEDED
        if 300 <= code < 400:
            error = f"Answered {code} redirecting to {answer.location or '(no Location)'}: redirects are not followed."
        else:
            error = f"Answered {code}: {answer.body[:200].decode(errors='replace')}"
    status = WebhookDelivery.Status.GAVE_UP if final else WebhookDelivery.Status.FAILED
    _record(delivery, status, code=code, error=error)
    log.info(
        "Webhook delivery %s to %s failed (%s)%s",
        delivery.message_id,
        endpoint.url,
        error,
        "; giving up" if final else "",
    )
    return GAVE_UP if final else RETRY
