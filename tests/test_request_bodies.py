"""Bodies no endpoint can use: nested deeper than the JSON parser goes, or over the size limit.
On /api/ each is a problem+json answer with its stable type, never a 500 or an HTML page; pages keep
Django's HTML 400. Posted to the leak-report endpoint: anyone may call it, unauthenticated."""

import logging

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/keys/leaks/"


def assert_problem(response, status, slug):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["status"], body["instance"]) == (f"/problems/{slug}", status, URL)
    return body


@pytest.mark.parametrize("body", ["[" * 50_000, "[" * 50_000 + "]" * 50_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_a_deeply_nested_json_body_is_a_400_problem_not_a_500(client, caplog, body):
    with caplog.at_level(logging.INFO):
        response = client.post(URL, body, content_type="application/json")
    detail = assert_problem(response, 400, "malformed-request")["detail"]
    assert detail == "JSON parse error - the document is nested too deeply."
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []  # no traceback logged


def test_json_nested_within_the_parser_s_reach_is_still_read(client):
    # A depth the parser handles is an ordinary body: here a validation error, not a parse error.
    response = client.post(URL, '{"strings": ' + "[" * 500 + "]" * 500 + "}", content_type="application/json")
    assert_problem(response, 400, "validation-error")


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_over_the_size_limit_is_a_problem_on_the_api(client, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"strings": ["' + "x" * 2000 + '"]}' if content_type == "application/json" else "strings=" + "x" * 2000
    response = client.post(URL, body, content_type=content_type)
    detail = assert_problem(response, 413, "payload-too-large")["detail"]
    assert detail == "The request body exceeds the size limit of 1000 bytes."


def test_a_body_within_the_size_limit_is_served(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(URL, {"strings": ["gvk_live_not_a_key"]}, content_type="application/json")
    assert response.status_code == 200


def test_a_page_keeps_django_s_html_400_for_a_body_over_the_size_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/portal/login/", "username=" + "x" * 2000, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_other_bad_requests_on_the_api_are_problems_too(client, settings):
    # Any other SuspiciousOperation Django answers with its 400, e.g. a Host header not served.
    settings.ALLOWED_HOSTS = ["console.example.com"]
    response = client.get("/api/v1/tenant/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/malformed-request" and body["detail"] == "The request could not be read."
    assert "ALLOWED_HOSTS" not in response.content.decode()
