"""The admin speaks the product's language: the console's name in the header, the index in the
sections staff look in (internals apart), the names they use, and dates with their time zone."""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.utils import dateformat

from config.admin_site import SECTIONS, ConsoleAdminSite

pytestmark = pytest.mark.django_db


def _sections(html):
    """[(section, [model names])] of the admin index, in order."""
    sections = []
    for caption, body in re.findall(
        r'<caption>\s*<a [^>]*class="section"[^>]*>(.*?)</a>\s*</caption>(.*?)</table>', html, re.S
    ):
        names = re.findall(r'<th scope="row" id="[^"]*">\s*(?:<a [^>]*>)?(.*?)(?:</a>)?\s*</th>', body, re.S)
        sections.append((caption.strip(), [n.strip() for n in names]))
    return sections


def test_the_admin_is_the_consoles_site():
    assert isinstance(admin.site, ConsoleAdminSite)


def test_the_header_and_title_name_the_console(admin_client):
    html = admin_client.get("/admin/").content.decode()

    assert '<div id="site-name"><a href="/admin/">API governance console</a></div>' in html
    assert "<title>Administration | API governance console admin</title>" in html
    assert "Django administration" not in html and "Django site admin" not in html


def test_the_index_lists_the_sections_staff_think_in(admin_client):
    sections = _sections(admin_client.get("/admin/").content.decode())

    assert [name for name, _ in sections] == [name for name, _ in SECTIONS]
    by_name = dict(sections)
    assert by_name["Tenants and people"][:2] == ["Tenants", "Members"]
    assert by_name["Partner access"] == ["API keys", "OAuth clients", "Usage (hourly)"]
    # The console's own bookkeeping is grouped apart, last, and nothing else is in it.
    internals = sections[-1]
    assert internals[0] == "Internals (kept by the console)"
    assert {"Audit chain heads", "Usage flushes", "OAuth access tokens", "OAuth refresh tokens"} <= set(internals[1])
    everything_else = {model for name, models in sections[:-1] for model in models}
    assert not everything_else & {"Audit chain heads", "Usage flushes", "OAuth access tokens"}


def test_every_registered_model_is_in_a_named_section():
    named = {key for _, members in SECTIONS for key, _ in members}
    registered = {f"{model._meta.app_label}.{model.__name__}" for model in admin.site._registry}

    assert registered - named == set(), "give these a section and a name in config/admin_site.py"


def test_an_unnamed_model_still_shows_under_other(admin_client, monkeypatch):
    monkeypatch.setattr("config.admin_site.SECTIONS", [s for s in SECTIONS if s[0] != "Audit"])
    sections = dict(_sections(admin_client.get("/admin/").content.decode()))

    assert sections["Other"] == ["Audit events"]


def test_model_pages_use_the_products_names(admin_client):
    flushes = admin_client.get("/admin/apikeys/usageflush/").content.decode()
    clients = admin_client.get("/admin/tenants/application/").content.decode()

    assert "Usage flushes" in flushes and "flushs" not in flushes
    assert "Select OAuth client to change" in clients
    assert "Select application" not in clients


def test_an_apps_own_page_keeps_its_models(admin_client):
    response = admin_client.get("/admin/apikeys/")

    assert response.status_code == 200
    assert [name for name, _ in _sections(response.content.decode())] == ["API keys, rate limits and usage"]


def test_changelist_dates_name_their_time_zone(admin_client, acme):
    html = admin_client.get("/admin/tenants/tenant/").content.decode()
    created = dateformat.format(acme.created_at, "N j, Y, H:i") + " UTC"  # e.g. "Dec. 6, 2026, 22:49 UTC"

    assert created in html


def test_the_verbose_names_are_in_the_migrations():
    call_command("makemigrations", "tenants", "apikeys", check=True, dry_run=True, verbosity=0)
