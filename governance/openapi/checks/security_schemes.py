"""Security schemes whose content changed while their name stayed (beyond oasdiff, whose
APIComponentsSecurityUpdatedCheck compares only the type and the implicit flow: security.py).

Where a credential goes (``in``, ``name``), the HTTP ``scheme``, ``bearerFormat``,
``openIdConnectUrl``, and every OAuth flow: added / removed, its URLs and scopes (the implicit
flow's ``authorizationUrl``, ``tokenUrl`` and scopes are oasdiff's; its ``refreshUrl`` is here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pointers import join_pointer
from .registry import spec_check

if TYPE_CHECKING:
    from ..diff import SpecDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec

_SCHEMES = "/components/securitySchemes"
# field -> (rule id, compare case-insensitively: RFC 7235 auth-scheme names are)
_FIELDS = {
    "in": ("api-security-component-in-changed", False),
    "name": ("api-security-component-name-changed", False),
    "scheme": ("api-security-component-scheme-changed", True),
    "bearerFormat": ("api-security-component-bearer-format-changed", False),
    "openIdConnectUrl": ("api-security-component-open-id-connect-url-changed", False),
    "oauth2MetadataUrl": ("api-security-component-oauth2-metadata-url-changed", False),  # OpenAPI 3.2
}
# deviceAuthorizationUrl: OpenAPI 3.2's device authorization flow (``flows.deviceAuthorization``)
_FLOW_URLS = ("authorizationUrl", "tokenUrl", "refreshUrl", "deviceAuthorizationUrl")
_OASDIFF_IMPLICIT = frozenset(("authorizationUrl", "tokenUrl"))  # security.py reports these


def _schemes(spec: Spec) -> JSONObject:
    components = spec.root.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return schemes if isinstance(schemes, dict) else {}


def _text(value: JSON) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: JSON) -> JSONObject:
    return value if isinstance(value, dict) else {}


@spec_check("ConsoleSecuritySchemeCheck")
def security_scheme_content_changed(spec_diff: SpecDiff) -> None:
    base_schemes, rev_schemes = _schemes(spec_diff.base), _schemes(spec_diff.revision)
    if base_schemes == rev_schemes:
        return
    emit = spec_diff.emit
    for name, base_node in base_schemes.items():
        if name not in rev_schemes:
            continue
        base, b_loc, _ = spec_diff.base.deref(base_node, join_pointer(_SCHEMES, name))
        rev, r_loc, _ = spec_diff.revision.deref(rev_schemes[name], join_pointer(_SCHEMES, name))
        base, rev = _mapping(base), _mapping(rev)
        if base == rev:
            continue
        if _text(base.get("type")) != _text(rev.get("type")):
            emit(
                "api-security-component-authentication-changed",
                name,
                _text(rev.get("type")),
                _text(base.get("type")),
                base_pointer=join_pointer(b_loc, "type") if "type" in base else b_loc,
                revision_pointer=join_pointer(r_loc, "type") if "type" in rev else r_loc,
            )
            continue  # every other field follows from the type
        for field, (rule, fold) in _FIELDS.items():
            before, after = _text(base.get(field)), _text(rev.get(field))
            if (before.lower() == after.lower()) if fold else (before == after):
                continue
            values = (after, before) if field in ("in", "name") else (before, after)  # as the messages read
            emit(
                rule,
                name,
                *values,
                base_pointer=join_pointer(b_loc, field) if field in base else b_loc,
                revision_pointer=join_pointer(r_loc, field) if field in rev else r_loc,
            )
        _flows(spec_diff, str(name), _mapping(base.get("flows")), _mapping(rev.get("flows")), b_loc, r_loc)


def _flows(spec_diff: SpecDiff, name: str, before: JSONObject, after: JSONObject, b_loc: str, r_loc: str) -> None:
    emit = spec_diff.emit
    b_flows, r_flows = join_pointer(b_loc, "flows"), join_pointer(r_loc, "flows")
    for flow in after:
        if flow not in before:
            emit(
                "api-security-component-oauth-flow-added",
                flow,
                name,
                base_pointer=None,
                revision_pointer=join_pointer(r_flows, flow),
            )
    for flow, base_flow in before.items():
        if flow not in after:
            emit(
                "api-security-component-oauth-flow-removed",
                flow,
                name,
                base_pointer=join_pointer(b_flows, flow),
                revision_pointer=None,
            )
            continue
        old, new = _mapping(base_flow), _mapping(after[flow])
        if old == new:
            continue
        p1, p2 = join_pointer(b_flows, flow), join_pointer(r_flows, flow)
        for url in _FLOW_URLS:
            if flow == "implicit" and url in _OASDIFF_IMPLICIT:
                continue
            if _text(old.get(url)) != _text(new.get(url)):
                emit(
                    "api-security-component-oauth-flow-url-changed",
                    url,
                    flow,
                    name,
                    _text(old.get(url)),
                    _text(new.get(url)),
                    base_pointer=join_pointer(p1, url) if url in old else p1,
                    revision_pointer=join_pointer(p2, url) if url in new else p2,
                )
        if flow == "implicit":
            continue  # its scopes: oasdiff's api-security-component-oauth-scope-added / -removed
        scopes1, scopes2 = _mapping(old.get("scopes")), _mapping(new.get("scopes"))
        for scope in scopes2:
            if scope not in scopes1:
                emit(
                    "api-security-component-oauth-flow-scope-added",
                    scope,
                    flow,
                    name,
                    base_pointer=None,
                    revision_pointer=join_pointer(p2, "scopes", scope),
                )
        for scope in scopes1:
            if scope not in scopes2:
                emit(
                    "api-security-component-oauth-flow-scope-removed",
                    scope,
                    flow,
                    name,
                    base_pointer=join_pointer(p1, "scopes", scope),
                    revision_pointer=None,
                )
