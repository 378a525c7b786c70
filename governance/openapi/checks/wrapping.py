"""oneOf wrapping of a request / response body (oasdiff #702).

oasdiff: diff/one_of_wrapping_diff.go (OneOfWrappingDiff), the wrapping branch of
check_request_property_updated.go (RequestPropertyUpdatedCheck) and of
check_response_required_property_updated.go (ResponseRequiredPropertyUpdatedCheck),
checker/transition_claims.go (the "oneOf wrapping" transition).

A body schema that is a concrete object (properties, no oneOf) and becomes
``oneOf: [that object (inline or $ref), ...]`` (no top-level type or properties) has not lost
its properties: they moved one level down into the alternatives. It is one breaking
restructuring, reported once per body (never per property):

* ``request-body-wrapped-in-one-of``: a previously valid payload may match several
  alternatives and be rejected by ``oneOf``;
* ``response-body-wrapped-in-one-of``: a previously guaranteed field may be absent.

Its echoes are dropped elsewhere: the moved properties' "removed" findings by
checks/properties.py, the body type change to "any" and the oneOf membership change by the
transition claim (checks/transitions.py ``claimed``; composition.py skips the body one-of
list). The detection itself is shapes.py ``one_of_wrapping`` (shared, cached per node).
A nullable wrapping (``oneOf: [{type: "null"}, X]``) has the same shape; there the nullable
transition claims the structure finding and became-nullable reports the change instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import schema_check
from .shapes import one_of_wrapping
from .transitions import both_dicts, claimed, node_info

if TYPE_CHECKING:
    from .sites import SchemaSite


def _wrapped(site: SchemaSite, kind: str) -> None:
    if site.kind != kind or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    if not one_of_wrapping(site.diff, spec_diff):
        return
    rule_id = f"{site.direction}-body-wrapped-in-one-of"
    if claimed(node_info(site.diff, spec_diff), rule_id):
        return  # a nullable wrapping: reported as became-nullable
    _base, revision_one_of = site.diff.pointer_of("oneOf")
    site.emit(rule_id, base_pointer=site.diff.base_pointer, revision_pointer=revision_one_of)


@schema_check("RequestPropertyUpdatedCheck", kinds=("request-body",))
def request_body_wrapped_in_one_of(site: SchemaSite) -> None:
    _wrapped(site, "request-body")


@schema_check("ResponseRequiredPropertyUpdatedCheck", kinds=("response-body",))
def response_body_wrapped_in_one_of(site: SchemaSite) -> None:
    _wrapped(site, "response-body")
