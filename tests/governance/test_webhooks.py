"""Webhooks: secrets shown once and stored encrypted, Standard Webhooks signatures (made with the
`standardwebhooks` package, checked against the specification's own example and by a receiver that
verifies with the package), delivery recorded and retried, and the SSRF table — refused at
registration and again at delivery, redirects never followed."""

import json

import pytest
import standardwebhooks
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from governance.models import WebhookDelivery, WebhookEndpoint
from governance.services import webhooks
from governance.tasks.deprecations import backoff, deliver_webhook
from governance.webhooks import signing, ssrf, transport
from tenants.models import AuditEvent
from tenants.principal import Principal
from tests.governance.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db
PUBLIC_IP = "93.184.215.14"


@pytest.fixture
def resolve(monkeypatch):
    """resolve({"name": ["addresses"]}): the injected resolver (names not listed don't resolve)."""
    table = {}

    def fake(host, port):
        if host not in table:
            raise OSError("no such host")
        return list(table[host])

    monkeypatch.setattr(ssrf, "resolver", fake)
    return table.update


@pytest.fixture
def private_ok(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # only to reach the local test receiver


def register(tenant, url, **fields):
    with transaction.atomic():
        return webhooks.create_endpoint(actor=Principal.system(tenant), url=url, **fields)


def enqueue(tenant, key="event-1", data=None):
    with transaction.atomic():
        return webhooks.enqueue_event(
            tenant=tenant, event_type="deprecation.milestone", data=data or {"n": 1}, event_key=key
        )


# --- secrets and signatures -----------------------------------------------------------------------


def test_the_secret_is_shown_once_and_stored_encrypted(acme):
    endpoint, secret = register(acme, f"https://{PUBLIC_IP}/hooks")
    assert secret.startswith("whsec_") and len(signing.secret_bytes(secret)) == 32
    stored = WebhookEndpoint.objects.across_tenants().get(pk=endpoint.pk).secret_encrypted
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    assert signing.decrypt_secret(stored) == secret


def test_a_changed_secret_key_makes_the_stored_secret_unreadable(acme, settings):
    endpoint, _secret = register(acme, f"https://{PUBLIC_IP}/hooks")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(signing.SecretUnreadable):
        signing.decrypt_secret(endpoint.secret_encrypted)


def test_signatures_are_the_ones_of_the_specification():
    # The example of the Standard Webhooks specification, computed by hand there: signing goes through
    # the `standardwebhooks` package, and this checks it against more than itself.
    headers = signing.signed_headers(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "Content-Type": "application/json",
    }


def test_signatures_verify_with_the_standardwebhooks_library():
    secret = signing.generate_secret()
    body = b'{"type":"deprecation.milestone","data":{"api":"payments","note":"d\xc3\xa9pr\xc3\xa9ci\xc3\xa9e"}}'
    import time

    headers = signing.signed_headers(secret, "msg_abc", int(time.time()), body)
    assert standardwebhooks.Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(signing.generate_secret()).verify(body, headers)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(body + b" ", headers)


def test_a_delivery_is_signed_recorded_and_verifiable_by_the_receiver(acme, private_ok):
    with Receiver() as receiver:
        endpoint, secret = register(acme, receiver.url + "/hooks?x=1")
        [delivery] = enqueue(acme, data={"api": "payments", "version": "v1"})
        assert deliver_webhook.delay(delivery.pk).get() == webhooks.SUCCEEDED
    [request] = receiver.requests
    assert request["path"] == "/hooks?x=1"
    [payload] = receiver.verified(secret)
    assert payload["type"] == "deprecation.milestone" and payload["data"] == {"api": "payments", "version": "v1"}
    assert request["headers"]["webhook-id"] == delivery.message_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 204)
    assert delivery.delivered_at is not None


def test_the_same_event_enqueued_twice_is_one_delivery(acme):
    register(acme, f"https://{PUBLIC_IP}/a")
    register(acme, f"https://{PUBLIC_IP}/b", event_types=["webhook.test"])  # not subscribed
    first, second = enqueue(acme, key="notice|7"), enqueue(acme, key="notice|7")
    assert len(first) == 1 and second == []
    assert WebhookDelivery.objects.across_tenants().count() == 1


def test_failures_are_recorded_retried_and_finally_given_up(acme, private_ok):
    with Receiver(status=500, body=b"boom") as receiver:
        register(acme, receiver.url)
        [delivery] = enqueue(acme)
        assert webhooks.attempt_delivery(delivery.pk) == webhooks.RETRY
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
        assert "boom" in delivery.last_error
        assert webhooks.attempt_delivery(delivery.pk, final=True) == webhooks.GAVE_UP
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("gave_up", 2)
    assert len(receiver.requests) == 2
    assert webhooks.attempt_delivery(delivery.pk) == webhooks.SKIPPED  # done is done
    assert [backoff(n) for n in range(6)] == [30, 120, 480, 1920, 3300, 3300]
    # Every wait stays under the Redis broker's visibility timeout, so no retry is handed out twice.
    broker_options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    assert max(backoff(n) for n in range(20)) < broker_options.get("visibility_timeout", 3600)


def test_staff_retry_failed_deliveries_through_the_audited_service(
    acme, globex, admin_client, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    register(acme, f"https://{PUBLIC_IP}/hooks")
    [gave_up], [succeeded] = enqueue(acme, key="a"), enqueue(acme, key="b")
    WebhookDelivery.objects.across_tenants().filter(pk=gave_up.pk).update(
        status=WebhookDelivery.Status.GAVE_UP, attempts=8
    )
    WebhookDelivery.objects.across_tenants().filter(pk=succeeded.pk).update(status=WebhookDelivery.Status.SUCCEEDED)
    scheduled = []
    monkeypatch.setattr(webhooks, "schedule_delivery", lambda pk, countdown=0: scheduled.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/governance/webhookdelivery/", {"action": "retry", "_selected_action": [gave_up.pk, succeeded.pk]}
        )
    assert response.status_code == 302
    assert scheduled == [gave_up.pk]  # a delivery that succeeded is not sent again
    assert WebhookDelivery.objects.across_tenants().get(pk=gave_up.pk).status == WebhookDelivery.Status.PENDING
    assert WebhookDelivery.objects.across_tenants().get(pk=succeeded.pk).status == WebhookDelivery.Status.SUCCEEDED
    event = AuditEvent.objects.across_tenants().get(action="webhook.delivery_retried")
    assert (event.actor, event.tenant, event.target_id) == (admin_user, acme, str(gave_up.pk))
    assert event.changes == {"status": ["gave_up", "pending"]}

    # The service itself: only a retryable delivery, and only inside the actor's tenant.
    WebhookDelivery.objects.across_tenants().filter(pk=gave_up.pk).update(status=WebhookDelivery.Status.FAILED)
    gave_up.refresh_from_db()
    with transaction.atomic():
        assert not webhooks.retry_delivery(actor=Principal.for_staff(admin_user, tenant=globex), delivery=gave_up)
        assert not webhooks.retry_delivery(actor=Principal.for_staff(admin_user, tenant=acme), delivery=succeeded)
    assert WebhookDelivery.objects.across_tenants().get(pk=gave_up.pk).status == WebhookDelivery.Status.FAILED
    assert AuditEvent.objects.across_tenants().filter(action="webhook.delivery_retried").count() == 1


def test_the_answer_read_is_capped(acme, private_ok):
    with Receiver(status=200, body=b"x" * (transport.MAX_RESPONSE_BYTES * 4)) as receiver:
        target = ssrf.check_url(receiver.url)
        answer = transport.post(target, b"{}", {})
    assert answer.status == 200 and len(answer.body) == transport.MAX_RESPONSE_BYTES


# --- SSRF -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://127.1.2.3:8080/hooks",
        "http://[::1]/hooks",
        "http://localhost.internal.test/hooks",  # resolves to 127.0.0.1 (below)
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.partner.test/",  # resolves to 169.254.169.254
        "http://hooks.partner.test/",  # resolves to 10.1.2.3
        "http://mixed.partner.test/",  # resolves to a public AND a private address
        "http://192.168.1.10/",
        "http://172.16.0.1/",
        "http://100.64.0.7/",  # CGNAT
        "http://[fc00::1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[2002:a00:1::]/",  # 6to4 wrapping 10.0.0.1
        "http://240.0.0.1/",  # reserved
        "http://nowhere.partner.test/",  # doesn't resolve
        "ftp://93.184.215.14/",
        "http://user:pass@93.184.215.14/",
    ],
)
def test_unsafe_urls_are_refused_at_registration(acme, resolve, url):
    resolve(INSIDE)
    with pytest.raises(ValidationError) as refused:
        register(acme, url)
    assert "url" in refused.value.message_dict
    assert not WebhookEndpoint.objects.across_tenants().exists()


INSIDE = {
    "localhost.internal.test": ["127.0.0.1"],
    "metadata.partner.test": ["169.254.169.254"],
    "hooks.partner.test": ["10.1.2.3"],
    "mixed.partner.test": [PUBLIC_IP, "10.0.0.8"],
}


def refused_host(host):
    return (
        f"The host {host} is not allowed: webhooks go only to hosts that resolve to public addresses, "
        "never into a private or reserved network."
    )


@pytest.mark.parametrize("host", [*INSIDE, "nowhere.partner.test"])
def test_a_refused_host_name_is_not_told_what_it_resolves_to(acme, resolve, host):
    # The tenant reads the message: the addresses, their kind or whether an internal name exists at
    # all would map the internal network for them. One answer for all.
    resolve(INSIDE)
    with pytest.raises(ValidationError) as refused:
        register(acme, f"http://{host}/hooks")
    assert refused.value.message_dict["url"] == [refused_host(host)]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.1.2.3/", "The address 10.1.2.3 is a private address"),
        ("http://[::1]/", "The address ::1 is a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "The address ::ffff:a9fe:a9fe is a cloud metadata address"),
    ],
)
def test_a_refused_address_written_in_the_url_is_named(acme, url, message):
    with pytest.raises(ValidationError) as refused:
        register(acme, url)
    assert refused.value.message_dict["url"] == [f"{message}; webhooks go to public addresses only."]


def test_metadata_addresses_stay_refused_even_when_private_networks_are_allowed(acme, private_ok):
    for url in ["http://169.254.169.254/", "http://[fd00:ec2::254]/"]:
        with pytest.raises(ValidationError):
            register(acme, url)


def test_public_urls_are_accepted(acme, resolve):
    resolve({"hooks.example.test": [PUBLIC_IP, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    register(acme, f"https://{PUBLIC_IP}/hooks")
    register(acme, "https://hooks.example.test/deprecations")
    assert WebhookEndpoint.objects.across_tenants().count() == 2


def test_delivery_checks_again_and_refuses_a_name_that_now_points_inside(acme, resolve):
    resolve({"hooks.example.test": [PUBLIC_IP]})
    register(acme, "https://hooks.example.test/x")
    [delivery] = enqueue(acme)
    resolve({"hooks.example.test": ["10.0.0.5"]})  # DNS rebinding after registration
    assert webhooks.attempt_delivery(delivery.pk) == webhooks.REFUSED
    delivery.refresh_from_db()
    assert delivery.status == "refused" and delivery.last_error == refused_host("hooks.example.test")


def test_delivery_connects_to_the_checked_address_with_the_original_host(acme, resolve, private_ok):
    with Receiver() as receiver:
        # The system resolver doesn't know this name: only the checked address can have been used.
        resolve({"hooks.partner.test": ["127.0.0.1"]})
        register(acme, f"http://hooks.partner.test:{receiver.port}/in")
        [delivery] = enqueue(acme)
        assert webhooks.attempt_delivery(delivery.pk) == webhooks.SUCCEEDED
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.partner.test:{receiver.port}"


@pytest.mark.parametrize("location", ["internal", "http://169.254.169.254/latest/meta-data/"])
def test_a_redirect_to_an_internal_address_is_not_followed(acme, private_ok, location):
    with Receiver(status=200) as internal:
        target = f"{internal.url}/admin" if location == "internal" else location
        with Receiver(status=302, headers={"Location": target}) as receiver:
            register(acme, receiver.url + "/hook")
            [delivery] = enqueue(acme)
            assert webhooks.attempt_delivery(delivery.pk) == webhooks.RETRY
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1 and internal.requests == []


# --- the API --------------------------------------------------------------------------------------


def test_the_api_shows_the_secret_once_and_refuses_private_urls(acme, token_client):
    client = token_client(acme, scopes=["webhooks:read", "webhooks:write"])
    created = client.post(
        "/api/v1/webhooks/", {"url": f"https://{PUBLIC_IP}/h", "event_types": ["deprecation.milestone"]}, format="json"
    )
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    shown = client.get(f"/api/v1/webhooks/{created.json()['id']}/")
    assert "secret" not in shown.json() and created.json()["secret"] not in shown.content.decode()
    refused = client.post("/api/v1/webhooks/", {"url": "http://169.254.169.254/"}, format="json")
    assert refused.status_code == 400 and "url" in refused.json()["errors"]
    unknown_event = client.post(
        "/api/v1/webhooks/", {"url": f"https://{PUBLIC_IP}/h", "event_types": ["nope"]}, format="json"
    )
    assert unknown_event.status_code == 400


def test_an_unknown_event_type_is_refused_even_under_python_O(acme):
    from governance.services.webhooks import enqueue_event

    with pytest.raises(ValueError, match="Unknown webhook event type 'deprecation.typo'"):
        enqueue_event(tenant=acme, event_type="deprecation.typo", data={}, event_key="k")
