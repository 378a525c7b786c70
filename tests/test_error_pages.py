"""The product's error pages in production: a 404 and a 500 in the console's look (the debug page
only with DEBUG on), the API still answering problem+json, and the console's icon."""

import pytest
from django.test import Client
from django.urls import include, path

from config.api.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db


def _broken(request):
    raise RuntimeError("the database fell over")


# This module is the URLconf of the 500 tests (pytest.mark.urls): the console's, plus a page and an
# API path that fail, with the console's handlers.
urlpatterns = [
    path("broken/", _broken),
    path("api/v1/broken/", _broken),
    path("", include("config.urls")),
]
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"


def test_a_missing_page_is_the_products_404(settings):
    settings.DEBUG = False
    response = Client().get("/portal/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "/portal/no-such-page/" in html
    assert "portal/portal.css" in html and "favicon.svg" in html


def test_a_signed_in_member_keeps_the_navigation_on_a_404(settings, session_client, owner):
    settings.DEBUG = False
    response = session_client(owner).get("/portal/no-such-page/")

    assert response.status_code == 404
    assert 'aria-label="Sections"' in response.content.decode()


def test_an_api_404_stays_problem_json(settings):
    settings.DEBUG = False
    response = Client().get("/api/v1/no-such-resource/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    assert response.json()["status"] == 404


@pytest.mark.urls(__name__)
def test_a_failing_page_is_the_products_500_without_a_traceback(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "portal/portal.css" in html
    assert "Traceback" not in html and "the database fell over" not in html


@pytest.mark.urls(__name__)
def test_a_failing_api_call_stays_problem_json(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/api/v1/broken/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    assert "the database fell over" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_the_debug_page_only_with_debug_on(settings):
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    assert "the database fell over" in response.content.decode()


def test_the_console_has_an_icon():
    icon = Client().get("/static/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)

    answered = Client().get("/favicon.ico")
    assert answered.status_code == 301
    assert answered["Location"].endswith("favicon.svg")
    assert "max-age=86400" in answered["Cache-Control"]


@pytest.mark.parametrize("path", ["/portal/login/", "/admin/login/", "/api/v1/redoc/"])
def test_the_pages_link_the_console_icon(path):
    response = Client().get(path)

    assert response.status_code == 200
    assert "favicon.svg" in response.content.decode()
