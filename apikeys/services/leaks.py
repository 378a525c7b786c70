"""Secret-scanning reports: revoke every live key found in public and tell its tenant's owners."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from apikeys import keys
from apikeys.models import ApiKey
from apikeys.services.keys import mark_revoked
from tenants import audit
from tenants.models import Membership
from tenants.principal import Principal

MAX_LEAK_STRINGS = 1000


@transaction.atomic
def report_leaks(*, strings) -> dict:
    """A secret-scanning report: revoke every live key among `strings` and tell each tenant's
    owners. The answer counts matches and never names a tenant."""
    found = {}
    for text in strings:
        for parsed in keys.find_candidates(text):
            found[parsed.raw] = parsed
    by_lookup = {
        k.lookup_id: k
        # A leak report names keys, not tenants: whoever owns a leaked key, it is revoked.
        for k in ApiKey.objects.across_tenants()
        .select_for_update()
        .select_related("tenant")
        .filter(lookup_id__in={p.lookup_id for p in found.values()})
    }
    matched, revoked = 0, []
    for raw, parsed in found.items():
        api_key = by_lookup.get(parsed.lookup_id)
        if api_key is None or not keys.digest_matches(raw, api_key.digest):
            continue
        matched += 1
        if api_key.revoked_at is None:
            mark_revoked(api_key, ApiKey.RevokedReason.LEAKED)
            audit.record(
                action="api_key.leak_revoked",
                actor=Principal.system(api_key.tenant),
                tenant=api_key.tenant,
                target=api_key,
                changes={"lookup_id": api_key.lookup_id},
            )
            revoked.append(api_key)
    if revoked:
        notices = _leak_notices(revoked)
        transaction.on_commit(lambda: _send_leak_notices(notices))
    return {"received": len(strings), "well_formed": len(found), "matched": matched, "revoked": len(revoked)}


def _leak_notices(revoked) -> list[tuple[list[str], str, str]]:
    by_tenant: dict = {}
    for api_key in revoked:
        by_tenant.setdefault(api_key.tenant, []).append(api_key)
    notices = []
    for tenant, tenant_keys in by_tenant.items():
        owners = list(Membership.objects.for_tenant(tenant).owners().values_list("user__email", flat=True))
        lines = "\n".join(f"- {k.name} ({k.display_prefix})" for k in tenant_keys)
        body = (
            f"A secret-scanning report found these API keys of {tenant.name} in public. They were "
            f"revoked at once:\n\n{lines}\n\nCreate replacements in the portal and update the "
            f"programs that used them: {settings.SITE_URL}/portal/keys/\n"
        )
        notices.append((owners, f"[{tenant.name}] API keys found in public were revoked", body))
    return notices


def _send_leak_notices(notices) -> None:
    for recipients, subject, body in notices:
        if recipients:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
