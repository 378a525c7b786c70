"""Stored secrets across a SECRET_KEY rotation: a webhook secret stored under the old key still
decrypts once the old key is in SECRET_KEY_FALLBACKS, fails clearly without it, and after
`manage.py reencrypt_secrets` decrypts under the new key alone. The command is idempotent and says
what it did."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from config import crypto
from governance.models import WebhookEndpoint
from governance.services import webhooks
from governance.webhooks import signing
from tenants.principal import Principal

pytestmark = pytest.mark.django_db
OLD_KEY, NEW_KEY = "old-secret-key-" + "o" * 50, "new-secret-key-" + "n" * 50


def register(tenant, url="https://93.184.215.14/hooks"):
    with transaction.atomic():
        endpoint, secret = webhooks.create_endpoint(actor=Principal.system(tenant), url=url)
    return endpoint, secret


def stored(endpoint) -> str:
    return WebhookEndpoint.objects.for_tenant(endpoint.tenant).get(pk=endpoint.pk).secret_encrypted


def reencrypt() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("reencrypt_secrets", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.fixture
def under_old_key(acme, settings):
    """Two endpoints whose secrets were stored under OLD_KEY; then SECRET_KEY rotated to NEW_KEY."""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    first, second = register(acme), register(acme, "https://93.184.215.14/other")
    settings.SECRET_KEY = NEW_KEY
    return [first, second]


def test_an_old_secret_decrypts_with_the_old_key_as_a_fallback_and_fails_clearly_without(under_old_key, settings):
    (endpoint, secret), _ = under_old_key
    with pytest.raises(signing.SecretUnreadable, match="SECRET_KEY_FALLBACKS"):
        signing.decrypt_secret(stored(endpoint))
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    assert signing.decrypt_secret(stored(endpoint)) == secret
    # What is written now is under the new key.
    _endpoint, fresh = register(endpoint.tenant, "https://93.184.215.14/new")
    assert signing.SECRETS.is_current(stored(_endpoint)) and not signing.SECRETS.is_current(stored(endpoint))


def test_reencrypt_secrets_moves_every_secret_to_the_new_key_once(under_old_key, settings):
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    status, text = reencrypt()
    assert status == 0, text
    assert "2 checked, 2 re-encrypted under SECRET_KEY, 0 already under it" in text
    tokens = [stored(endpoint) for endpoint, _ in under_old_key]

    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone: the new one alone reads everything
    assert [signing.decrypt_secret(token) for token in tokens] == [secret for _, secret in under_old_key]
    status, text = reencrypt()  # idempotent: nothing to rewrite, no row touched
    assert status == 0 and "2 checked, 0 re-encrypted under SECRET_KEY, 2 already under it" in text
    assert [stored(endpoint) for endpoint, _ in under_old_key] == tokens


def test_a_secret_no_configured_key_reads_is_left_alone_and_named(under_old_key):
    # SECRET_KEY changed without keeping the old one: nothing can be read, nothing is destroyed.
    (endpoint, _), (other, _) = under_old_key
    before = stored(endpoint)
    status, text = reencrypt()
    assert status == 1
    assert f"2 webhook secret(s) decrypt under no configured key (endpoint ids {endpoint.pk}, {other.pk})" in text
    assert stored(endpoint) == before


def test_a_cipher_of_one_purpose_never_reads_another(settings):
    other = crypto.Cipher(salt=b"governance.webhooks", info=b"something else v1")
    token = signing.SECRETS.encrypt("whsec_x")
    with pytest.raises(crypto.Unreadable):
        other.decrypt(token)
