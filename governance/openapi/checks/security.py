"""Security: requirement lists (document root and per operation) and security schemes.

oasdiff: check_api_security_updated.go (with diff/security_requirements_diff.go,
security_scopes_diff.go) and check_components_security_updated.go (security_schemes_diff.go).

A security list is an OR of alternatives; each alternative ANDs its schemes, and each
scheme ANDs its scopes. Like oasdiff, alternatives are matched as whole units first
(same schemes and same scopes), then a leftover whose scheme set is unambiguous on both
sides is reported as a scope change, and whatever remains is deleted / added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from ..pointers import join_pointer
from .registry import spec_check

if TYPE_CHECKING:
    from collections.abc import KeysView

    from ..diff import SpecDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from ..model import Emit

# One alternative of a security list: scheme name -> scopes (ANDed)
Requirement: TypeAlias = dict[str, list["JSON"]]
# scheme -> (added scopes, deleted scopes)
ScopesDiff: TypeAlias = dict[str, tuple[list["JSON"], list["JSON"]]]


def _requirements(value: JSON) -> list[Requirement]:
    """A security list as a list of {scheme: [scopes]} (non-dicts dropped, scopes as lists)."""
    if not isinstance(value, list):
        return []
    result: list[Requirement] = []
    for item in value:
        if isinstance(item, dict):
            result.append({str(k): (list(v) if isinstance(v, list) else []) for k, v in item.items()})
    return result


def alternative_text(requirement: Requirement) -> str:
    """oasdiff's SecurityAlternative.String(): `a: [x, y] AND b`, `{}` for no authentication."""
    if not requirement:
        return "{}"
    parts: list[str] = []
    for scheme in sorted(requirement):
        scopes = requirement[scheme]
        parts.append(f"{scheme}: [{', '.join(sorted(str(s) for s in scopes))}]" if scopes else scheme)
    return " AND ".join(parts)


def _scopes_diff(req1: Requirement, req2: Requirement) -> ScopesDiff:
    """scheme -> (added scopes, deleted scopes), for schemes present on both sides."""
    result: ScopesDiff = {}
    for scheme, scopes1 in req1.items():
        if scheme not in req2:
            continue
        scopes2 = req2[scheme]
        added = [s for s in dict.fromkeys(scopes2) if s not in scopes1]
        deleted = [s for s in dict.fromkeys(scopes1) if s not in scopes2]
        if added or deleted:
            result[scheme] = (added, deleted)
    return result


def requirements_diff(base: JSON, revision: JSON) -> tuple[list[Requirement], list[Requirement], list[ScopesDiff]]:
    """(added alternatives, deleted alternatives, [scope diffs]) between two security lists."""
    reqs1, reqs2 = _requirements(base), _requirements(revision)
    matched1, matched2 = [False] * len(reqs1), [False] * len(reqs2)

    def find(req: Requirement, candidates: list[Requirement], matched: list[bool], exact: bool) -> int:
        schemes = req.keys()
        for j, candidate in enumerate(candidates):
            if matched[j] or candidate.keys() != schemes:
                continue
            if exact and _scopes_diff(req, candidate):
                continue
            return j
        return -1

    def unique(reqs: list[Requirement], matched: list[bool], schemes: KeysView[str]) -> bool:
        return sum(1 for i, r in enumerate(reqs) if not matched[i] and r.keys() == schemes) == 1

    for i, req in enumerate(reqs1):  # pass 1: identical alternatives cancel out
        j = find(req, reqs2, matched2, True)
        if j >= 0:
            matched1[i] = matched2[j] = True
    modified: list[ScopesDiff] = []
    for i, req in enumerate(reqs1):  # pass 2: unambiguous scheme sets -> scope changes
        if matched1[i] or not unique(reqs1, matched1, req.keys()):
            continue
        j = find(req, reqs2, matched2, False)
        if j < 0 or not unique(reqs2, matched2, reqs2[j].keys()):
            continue
        matched1[i] = matched2[j] = True
        scopes = _scopes_diff(req, reqs2[j])
        if scopes:
            modified.append(scopes)
    deleted = [r for i, r in enumerate(reqs1) if not matched1[i]]
    added = [r for j, r in enumerate(reqs2) if not matched2[j]]
    return added, deleted, modified


def _pointer(container: JSON, location: str, key: str) -> str | None:
    return join_pointer(location, key) if isinstance(container, dict) and key in container else None


@spec_check("APISecurityUpdatedCheck")
def security_updated(spec_diff: SpecDiff) -> None:
    base_root, rev_root = spec_diff.base.root, spec_diff.revision.root
    if base_root.get("security") != rev_root.get("security"):
        base_ptr, rev_ptr = _pointer(base_root, "", "security"), _pointer(rev_root, "", "security")
        added, deleted, modified = requirements_diff(base_root.get("security"), rev_root.get("security"))
        for req in added:
            spec_diff.emit(
                "api-global-security-added", alternative_text(req), base_pointer=None, revision_pointer=rev_ptr
            )
        for req in deleted:
            spec_diff.emit(
                "api-global-security-removed", alternative_text(req), base_pointer=base_ptr, revision_pointer=None
            )
        for scopes in modified:
            for scheme, (added_scopes, deleted_scopes) in scopes.items():
                for scope in added_scopes:
                    spec_diff.emit(
                        "api-global-security-scope-added", scope, scheme, base_pointer=None, revision_pointer=rev_ptr
                    )
                for scope in deleted_scopes:
                    spec_diff.emit(
                        "api-global-security-scope-removed", scope, scheme, base_pointer=base_ptr, revision_pointer=None
                    )
    for op in spec_diff.modified_operations():
        before, after = op.base.get("security"), op.revision.get("security")
        if before == after:
            continue
        base_ptr, rev_ptr = op.field_pointers("security")
        added, deleted, modified = requirements_diff(before, after)
        for req in added:
            if req:  # an empty alternative ({} = anonymous access) is not reported
                op.emit("api-security-added", alternative_text(req), base_pointer=None, revision_pointer=rev_ptr)
        for req in deleted:
            if req:
                op.emit("api-security-removed", alternative_text(req), base_pointer=base_ptr, revision_pointer=None)
        for scopes in modified:
            for scheme, (added_scopes, deleted_scopes) in scopes.items():
                for scope in added_scopes:
                    op.emit("api-security-scope-added", scope, scheme, base_pointer=None, revision_pointer=rev_ptr)
                for scope in deleted_scopes:
                    op.emit("api-security-scope-removed", scope, scheme, base_pointer=base_ptr, revision_pointer=None)


def _schemes(spec: Spec) -> JSONObject:
    components = spec.root.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return schemes if isinstance(schemes, dict) else {}


def _value_changed(before: JSON, after: JSON) -> bool:
    """oasdiff's ValueDiff on a string field: absent and empty are the same."""
    return (before or "") != (after or "")


@spec_check("APIComponentsSecurityUpdatedCheck")
def security_schemes_updated(spec_diff: SpecDiff) -> None:
    base_schemes, rev_schemes = _schemes(spec_diff.base), _schemes(spec_diff.revision)
    if base_schemes == rev_schemes:
        return
    emit = spec_diff.emit
    for name in rev_schemes:
        if name not in base_schemes:
            emit(
                "api-security-component-added",
                name,
                base_pointer=None,
                revision_pointer=join_pointer("/components/securitySchemes", name),
            )
    for name, base_node in base_schemes.items():
        b_loc = join_pointer("/components/securitySchemes", name)
        if name not in rev_schemes:
            emit("api-security-component-removed", name, base_pointer=b_loc, revision_pointer=None)
            continue
        base, b_loc, _ = spec_diff.base.deref(base_node, b_loc)
        rev, r_loc, _ = spec_diff.revision.deref(rev_schemes[name], join_pointer("/components/securitySchemes", name))
        base = base if isinstance(base, dict) else {}
        rev = rev if isinstance(rev, dict) else {}
        if base == rev:
            continue
        _oauth_updates(emit, name, base, rev, b_loc, r_loc)
        if _value_changed(base.get("type"), rev.get("type")):
            emit(
                "api-security-component-type-changed",
                name,
                base.get("type", ""),
                rev.get("type", ""),
                base_pointer=_pointer(base, b_loc, "type"),
                revision_pointer=_pointer(rev, r_loc, "type"),
            )


def _oauth_updates(emit: Emit, name: str, base: JSONObject, rev: JSONObject, b_loc: str, r_loc: str) -> None:
    """oasdiff only looks at the implicit flow (checkOAuthUpdates)."""

    def implicit(scheme: JSONObject) -> JSONObject | None:
        flows = scheme.get("flows")
        flow = flows.get("implicit") if isinstance(flows, dict) else None
        return flow if isinstance(flow, dict) else None

    flow1, flow2 = implicit(base), implicit(rev)
    if flow1 is None or flow2 is None or flow1 == flow2:
        return  # an implicit flow added or removed has no scope / url diff in oasdiff
    p1, p2 = join_pointer(b_loc, "flows", "implicit"), join_pointer(r_loc, "flows", "implicit")
    if _value_changed(flow1.get("authorizationUrl"), flow2.get("authorizationUrl")):
        emit(
            "api-security-component-oauth-url-changed",
            name,
            flow1.get("authorizationUrl", ""),
            flow2.get("authorizationUrl", ""),
            base_pointer=join_pointer(p1, "authorizationUrl"),
            revision_pointer=join_pointer(p2, "authorizationUrl"),
        )
    if _value_changed(flow1.get("tokenUrl"), flow2.get("tokenUrl")):
        emit(
            "api-security-component-oauth-token-url-changed",
            name,
            flow1.get("tokenUrl", ""),
            flow2.get("tokenUrl", ""),
            base_pointer=join_pointer(p1, "tokenUrl"),
            revision_pointer=join_pointer(p2, "tokenUrl"),
        )
    scopes1 = found if isinstance(found := flow1.get("scopes"), dict) else {}
    scopes2 = found if isinstance(found := flow2.get("scopes"), dict) else {}
    for scope in scopes2:
        if scope not in scopes1:
            emit(
                "api-security-component-oauth-scope-added",
                name,
                scope,
                base_pointer=None,
                revision_pointer=join_pointer(p2, "scopes", scope),
            )
    for scope, description in scopes1.items():
        if scope not in scopes2:
            emit(
                "api-security-component-oauth-scope-removed",
                name,
                scope,
                base_pointer=join_pointer(p1, "scopes", scope),
                revision_pointer=None,
            )
        elif scopes2[scope] != description:
            emit(
                "api-security-component-oauth-scope-changed",
                name,
                scope,
                description,
                scopes2[scope],
                base_pointer=join_pointer(p1, "scopes", scope),
                revision_pointer=join_pointer(p2, "scopes", scope),
            )
