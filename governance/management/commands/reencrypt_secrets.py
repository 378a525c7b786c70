"""`manage.py reencrypt_secrets`: after a SECRET_KEY rotation, rewrite every stored encrypted value
(config/crypto.py) under the new SECRET_KEY, so the old key can leave SECRET_KEY_FALLBACKS.

Today the only encrypted values are the webhook signing secrets. Idempotent: a second run rewrites
nothing. Exit status 1 when some value decrypts under no configured key (SECRET_KEY changed without
the old one in SECRET_KEY_FALLBACKS): those rows are left as they are, and named.
"""

from django.core.management.base import BaseCommand, CommandError

from governance.services import webhooks


class Command(BaseCommand):
    help = "Re-encrypt every stored secret under the current SECRET_KEY (after a rotation); idempotent."

    def handle(self, *args, **options):
        result = webhooks.reencrypt_secrets()
        self.stdout.write(
            f"Webhook signing secrets: {result.checked} checked, {result.rewritten} re-encrypted under SECRET_KEY, "
            f"{result.checked - result.rewritten - len(result.unreadable)} already under it."
        )
        if result.unreadable:
            ids = ", ".join(str(pk) for pk in result.unreadable)
            raise CommandError(
                f"{len(result.unreadable)} webhook secret(s) decrypt under no configured key (endpoint ids {ids}): "
                "put the SECRET_KEY they were stored under into SECRET_KEY_FALLBACKS, or have the tenants "
                "rotate those secrets.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS("Every stored secret is under the current SECRET_KEY."))
