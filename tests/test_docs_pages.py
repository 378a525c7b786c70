"""The API docs pages (Swagger UI, Redoc) load nothing from outside the console, and the document
they render describes both ways in (API key, OAuth) with the console's own address in its examples."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DOCS_PAGES = ["/api/v1/docs/", "/api/v1/redoc/"]
ORIGIN = "http://testserver"


class _Links(HTMLParser):
    """Every src and href of a page, made absolute against the page."""

    def __init__(self, base):
        super().__init__()
        self.base = base
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(urljoin(self.base, value))


def _links(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Links(ORIGIN + path)
    parser.feed(response.content.decode())
    return parser.urls


@pytest.mark.parametrize("path", DOCS_PAGES)
def test_every_asset_of_a_docs_page_is_served_by_the_console(path):
    client = Client()
    urls = _links(client, path)

    assert urls, "the page links no assets at all"
    foreign = [url for url in urls if not _same_origin(url)]
    assert foreign == [], f"{path} loads from elsewhere: {foreign}"
    for url in urls:
        if url.startswith("data:"):
            continue
        asset = client.get(urlparse(url).path)
        assert asset.status_code == 200, url


def _same_origin(url):
    parts = urlparse(url)
    return parts.scheme == "data" or (parts.scheme, parts.netloc) == ("http", "testserver")


def test_redoc_is_served_without_the_logo_it_fetches_from_a_cdn():
    response = Client().get("/docs-assets/redoc/bundles/redoc.standalone.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Redoc" in body and len(body) > 500_000  # the whole bundle, not a stub
    assert b"cdn.redoc.ly" not in body
    # A browser revalidating its copy gets a 304.
    again = Client().get("/docs-assets/redoc/bundles/redoc.standalone.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_swagger_ui_asks_no_outside_validator():
    response = Client().get("/api/v1/docs/")

    assert '"validatorUrl": null' in response.content.decode()


@pytest.fixture
def schema():
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_document_describes_api_keys_as_well_as_oauth(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["apiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": schemes["apiKeyAuth"]["description"],
    }
    assert "Authorization: Bearer gvk_" in schemes["apiKeyAuth"]["description"]
    assert schemes["oauth2"]["type"] == "oauth2"
    assert "API key" in schema["info"]["description"]
    keys = schema["paths"]["/api/v1/keys/"]["get"]
    assert {"apiKeyAuth": []} in keys["security"]
    assert "API key" in keys["description"]


def test_the_document_names_the_console_it_was_fetched_from(schema):
    assert schema["servers"] == [{"url": ORIGIN, "description": "This console"}]
    listed = schema["components"]["schemas"]["PaginatedApiKeyList"]["properties"]
    assert listed["next"]["example"].startswith(f"{ORIGIN}/api/v1/keys/?cursor=")
    assert listed["previous"]["example"].startswith(f"{ORIGIN}/api/v1/keys/?cursor=")
    assert "example.org" not in str(schema) and "example.com" not in str(schema)


def test_the_document_generated_without_a_request_names_site_url(settings):
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)

    assert document["servers"][0]["url"] == settings.SITE_URL
