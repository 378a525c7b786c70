"""A version's base path decides which requests its lifecycle governs, so it must never cover the
console's own pages (a brownout would answer 410 to the staff console)."""

import pytest
from django.core.exceptions import ValidationError

from governance.models import Api
from governance.services import catalog
from tenants.principal import Principal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "base_path", ["/", "", "payments/v1", "/admin", "/portal/x", "/o", "/static/v1", "/problems", "/healthz"]
)
def test_a_base_path_that_would_cover_the_console_is_refused(base_path):
    api = Api.objects.create(slug="payments", name="Payments")
    with pytest.raises(ValidationError) as exc:
        catalog.create_version(actor=Principal.system(), api=api, version="v1", base_path=base_path)
    assert "base_path" in exc.value.message_dict


@pytest.mark.parametrize(
    ("given", "stored"), [("/payments/v1/", "/payments/v1"), ("/portals/v1", "/portals/v1"), ("/api/v1", "/api/v1")]
)
def test_ordinary_base_paths_are_kept_without_a_trailing_slash(given, stored):
    api = Api.objects.create(slug="payments", name="Payments")
    version = catalog.create_version(actor=Principal.system(), api=api, version="v1", base_path=given)
    assert version.base_path == stored
