"""Lifecycle enforcement: the pure decision at each instant of a schedule, and the middleware on the
console's own /api/v1 (headers, 410 in brownouts and after sunset, exemptions), and the gateway
verify endpoint answering the same facts."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from apikeys import services as key_services
from governance import enforcement
from governance.models import ApiVersion, LifecycleState
from governance.services import deprecations
from tenants.principal import Principal
from tests.governance.deprecation_fixtures import (
    ANNOUNCED,
    BROWNOUT_END,
    BROWNOUT_START,
    GUIDE,
    SUNSET,
    SYSTEM,
    T0,
)

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def lifecycle_of(version):
    enforcement.invalidate()
    return enforcement.for_api_version(version.api.slug, version.version)


def headers_of(verdict):
    return dict((name, value) for name, value in verdict.headers if name != "Link"), [
        value for name, value in verdict.headers if name == "Link"
    ]


def test_before_the_deprecation_date_the_sunset_and_links_are_announced_but_no_deprecation(schedule, payments_v1):
    verdict = enforcement.decide(lifecycle_of(payments_v1), now=T0 - SECOND)
    plain, links = headers_of(verdict)
    assert "Deprecation" not in plain
    assert plain["Sunset"] == "Fri, 19 Sep 2031 12:00:00 GMT"  # T0 + 200 days, an RFC 9110 HTTP-date
    assert links == [f'<{GUIDE}>; rel="deprecation"; type="text/html"', '</payments/v2>; rel="successor-version"']
    assert not verdict.gone


def test_from_the_deprecation_date_the_deprecation_header_names_it(schedule, payments_v1):
    verdict = enforcement.decide(lifecycle_of(payments_v1), now=T0)
    assert dict(verdict.headers)["Deprecation"] == f"@{int(T0.timestamp())}"
    assert verdict.deprecated and not verdict.gone


@pytest.mark.parametrize(
    ("instant", "gone", "reason"),
    [
        (BROWNOUT_START - SECOND, False, ""),
        (BROWNOUT_START, True, "brownout"),
        (BROWNOUT_END - SECOND, True, "brownout"),
        (BROWNOUT_END, False, ""),
        (SUNSET - SECOND, False, ""),
        (SUNSET, True, "sunset"),
        (SUNSET + timedelta(days=400), True, "sunset"),
    ],
)
def test_gone_exactly_inside_brownouts_and_from_the_sunset(schedule, payments_v1, instant, gone, reason):
    verdict = enforcement.decide(lifecycle_of(payments_v1), now=instant)
    assert (verdict.gone, verdict.reason) == (gone, reason)
    if reason == "brownout":
        assert verdict.brownout_until == BROWNOUT_END


def test_sunset_and_retired_states_are_gone_whatever_the_dates(schedule, payments_v1):
    ApiVersion.objects.filter(pk=payments_v1.pk).update(state=LifecycleState.RETIRED)
    assert enforcement.decide(lifecycle_of(payments_v1), now=ANNOUNCED).gone


def test_an_undeprecated_version_is_left_alone(schedule, payments_v1):
    payments_v1.state = LifecycleState.ACTIVE
    payments_v1.save()
    verdict = enforcement.decide(lifecycle_of(payments_v1), now=BROWNOUT_START)
    assert verdict.headers == [] and not verdict.gone


def test_an_active_exemption_lets_its_tenant_through_until_it_expires(schedule, payments_v1, acme, globex):
    with time_machine.travel(T0, tick=False), transaction.atomic():
        deprecations.grant_exemption(
            actor=SYSTEM,
            schedule=schedule,
            tenant=acme,
            reason="Contract until Q3",
            expires_at=BROWNOUT_START + timedelta(hours=1),
        )
    lifecycle = lifecycle_of(payments_v1)
    during = enforcement.decide(lifecycle, tenant_id=acme.pk, now=BROWNOUT_START)
    assert not during.gone and during.headers  # let through, still told
    assert enforcement.decide(lifecycle, tenant_id=globex.pk, now=BROWNOUT_START).gone
    expired = enforcement.decide(lifecycle, tenant_id=acme.pk, now=BROWNOUT_START + timedelta(hours=1))
    assert expired.gone


# --- the middleware, on the console's own API -----------------------------------------------------


def test_the_console_api_wears_the_headers_once_its_version_is_deprecated(console_api, acme, token_client):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        response = token_client(acme).get("/api/v1/tenant/")
    assert response.status_code == 200
    assert response["Deprecation"] == f"@{int(T0.timestamp())}"
    assert response["Sunset"] == "Fri, 19 Sep 2031 12:00:00 GMT"
    assert 'rel="deprecation"' in response["Link"] and '</api/v2>; rel="successor-version"' in response["Link"]


def test_a_version_without_a_schedule_wears_nothing(acme, token_client):
    response = token_client(acme).get("/api/v1/tenant/")
    assert response.status_code == 200
    assert "Deprecation" not in response and "Sunset" not in response


def test_a_brownout_answers_410_saying_until_when_and_where_to_go(console_api, acme, token_client):
    with time_machine.travel(BROWNOUT_START + timedelta(minutes=5), tick=False):
        response = token_client(acme).get("/api/v1/tenant/")
    assert response.status_code == 410
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "/problems/gone" and body["reason"] == "brownout"
    assert "brownout until" in body["detail"] and "/api/v2" in body["detail"]
    assert body["successor_base_path"] == "/api/v2"
    assert body["migration_guide_url"] == "https://docs.example.test/console/v2"
    assert response["Sunset"] and response["Deprecation"]


def test_after_the_sunset_every_call_is_gone(console_api, acme, anon_client, token_client):
    with time_machine.travel(SUNSET + timedelta(days=1), tick=False):
        response = token_client(acme).post("/api/v1/webhooks/", {"url": "https://93.184.215.14/x"}, format="json")
        anonymous = anon_client.get("/api/v1/schema/")
    assert response.status_code == 410 and response.json()["reason"] == "sunset"
    assert "sunset on 2031-09-19" in response.json()["detail"]
    assert anonymous.status_code == 410
    from governance.models import WebhookEndpoint

    assert not WebhookEndpoint.objects.across_tenants().exists()  # the view never ran


def test_an_exempt_tenant_keeps_calling_through_a_brownout_and_others_dont(
    console_api, acme, globex, token_client, session_client, owner, outsider
):
    with time_machine.travel(T0, tick=False), transaction.atomic():
        deprecations.grant_exemption(
            actor=SYSTEM,
            schedule=console_api,
            tenant=acme,
            reason="Migrating in May",
            expires_at=SUNSET + timedelta(days=30),
        )
    with time_machine.travel(BROWNOUT_START + timedelta(minutes=1), tick=False):
        exempt_token = token_client(acme).get("/api/v1/tenant/")
        exempt_session = session_client(owner).get("/api/v1/tenant/")
        other = token_client(globex).get("/api/v1/tenant/")
        other_session = session_client(outsider).get("/api/v1/tenant/")
        nobody = token_client(acme).__class__().get("/api/v1/tenant/")
    assert exempt_token.status_code == 200 and exempt_token.json()["slug"] == "acme"
    assert exempt_token["Deprecation"]  # still told
    assert exempt_session.status_code == 200
    assert other.status_code == 410 and other_session.status_code == 410
    assert nobody.status_code == 410


def test_an_exempt_api_key_is_verified_and_charged_once(console_api, acme):
    from rest_framework.test import APIClient

    with time_machine.travel(T0, tick=False), transaction.atomic():
        deprecations.grant_exemption(actor=SYSTEM, schedule=console_api, tenant=acme, reason="Pilot", expires_at=SUNSET)
    with time_machine.travel(BROWNOUT_START, tick=False):
        with transaction.atomic():
            _key, raw = key_services.create_key(
                actor=Principal.system(acme), name="ci", scopes=["tenant:read"], rate_quota=10, rate_window=3600
            )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        first = client.get("/api/v1/tenant/")
        second = client.get("/api/v1/tenant/")
    assert first.status_code == 200 and second.status_code == 200
    # Authenticated by the middleware and handed on to the view: one unit of the quota per call.
    remaining = [
        int(part.split("=")[1]) for r in (first, second) for part in r["RateLimit"].split(";") if part.startswith("r=")
    ]
    assert remaining == [9, 8]


def test_a_schedule_change_reaches_enforcement_at_once(console_api, acme, token_client):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert "Deprecation" in token_client(acme).get("/api/v1/tenant/")
        version = console_api.version
        version.state = LifecycleState.ACTIVE  # un-deprecated
        version.save()
        assert "Deprecation" not in token_client(acme).get("/api/v1/tenant/")


# --- the gateway verify endpoint ------------------------------------------------------------------


def test_the_gateway_verify_endpoint_answers_the_same_facts(schedule, acme, globex, token_client):
    with time_machine.travel(T0, tick=False), transaction.atomic():
        deprecations.grant_exemption(actor=SYSTEM, schedule=schedule, tenant=acme, reason="Pilot", expires_at=SUNSET)
    with time_machine.travel(BROWNOUT_START + timedelta(minutes=30), tick=False):
        gateway = token_client(globex, scopes=["keys:verify"], gateway=True)
        with transaction.atomic():
            _a, acme_key = key_services.create_key(actor=Principal.system(acme), name="a", scopes=["catalog:read"])
            _g, globex_key = key_services.create_key(actor=Principal.system(globex), name="g", scopes=["catalog:read"])

        def verify(raw, version="v1"):
            response = gateway.post(
                "/api/v1/keys/verify/", {"key": raw, "api": "payments", "version": version}, format="json"
            )
            assert response.status_code == 200, response.content
            return response.json()["lifecycle"]

        globex_facts, acme_facts, v2_facts = verify(globex_key), verify(acme_key), verify(globex_key, "v2")
        unknown = verify(globex_key, "v9")
    assert globex_facts["gone"] is True and globex_facts["brownout_active"] is True
    assert globex_facts["state"] == "deprecated" and globex_facts["deprecated"] is True
    assert globex_facts["successor"] == "v2" and globex_facts["guide"] == GUIDE
    assert globex_facts["sunset"] == "2031-09-19T12:00:00Z"
    assert ["Sunset", "Fri, 19 Sep 2031 12:00:00 GMT"] in globex_facts["headers"]
    assert acme_facts["gone"] is False and acme_facts["exempt_until"] == "2031-09-19T12:00:00Z"
    assert v2_facts["state"] == "active" and v2_facts["gone"] is False and v2_facts["headers"] == []
    assert unknown is None
