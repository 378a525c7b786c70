"""Signing secrets and signatures, per Standard Webhooks (https://www.standardwebhooks.com/).

A secret is `whsec_<base64 of 32 random bytes>`. It must be recoverable to sign, so it is stored
encrypted (config/crypto.py: Fernet under SECRET_KEY, readable through SECRET_KEY_FALLBACKS during a
rotation), never hashed, and shown to the tenant once. Each delivery carries the headers the
`standardwebhooks` package (the specification's reference library, which receivers verify with)
signs:

    webhook-id: <message id, stable across retries>
    webhook-timestamp: <unix seconds of this attempt>
    webhook-signature: v1,<base64 HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}")>
"""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

from config import crypto

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32

# The HKDF salt and info the secrets have always been encrypted with: changing them would make every
# stored secret unreadable.
SECRETS = crypto.Cipher(
    salt=b"governance.webhooks", info=b"webhook signing secret encryption v1", what="webhook secret"
)

SecretUnreadable = crypto.Unreadable


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def encrypt_secret(secret: str) -> str:
    return SECRETS.encrypt(secret)


def decrypt_secret(token: str) -> str:
    return SECRETS.decrypt(token)


def secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict:
    # The library signs text; the body is JSON, so UTF-8, and encodes back to the same bytes.
    signature = Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }
