"""Schema checks run only on the site kinds they declare (``@schema_check(..., kinds=...)``).

The engine skips a check on the other kinds, so a declaration narrower than what the check really
handles would silently drop findings: the corpus test below calls every check on every site of a
kind it did NOT declare and asserts that it emits nothing there.
"""

import pytest

from governance.openapi import SpecError, checks, load_spec
from governance.openapi.checks.registry import SITE_KINDS, for_kind, schema_check
from governance.openapi.checks.sites import sites_of
from governance.openapi.diff import SpecDiff
from governance.openapi.engine import Emitter
from tests.openapi import conformance


def test_kinds_are_validated():
    with pytest.raises(TypeError):
        schema_check("SomeCheck", kinds="response-body")  # a bare string, not a tuple
    with pytest.raises(TypeError):
        schema_check("SomeCheck", kinds=("response",))  # not a site kind


def test_for_kind_keeps_registration_order_and_undeclared_checks():
    def a(site): ...
    def b(site): ...
    def c(site): ...

    a.site_kinds, b.site_kinds, c.site_kinds = frozenset({"parameter"}), None, frozenset({"response-body"})
    assert for_kind([a, b, c], "parameter") == [a, b]
    assert for_kind([a, b, c], "response-body") == [b, c]
    assert for_kind([a, b, c], "response-header") == [b]


def test_declared_kinds_cover_every_finding_on_the_corpus():
    checks.load_families()
    cases = conformance.load_cases()
    assert cases, "the oasdiff corpus (../shared/corpus/oasdiff) must be present"
    kinds_seen = set()
    for case in cases:
        try:
            base = load_spec(conformance.CORPUS / case["base"])
            revision = load_spec(conformance.CORPUS / case["revision"])
        except SpecError:
            continue
        options = conformance.options_for(case)
        emit = Emitter(options)
        spec_diff = SpecDiff(base, revision, emit, options)
        for op in spec_diff.modified_operations():
            for site in sites_of(op):
                kinds_seen.add(site.kind)
                skipped = [c for c in checks.SCHEMA_CHECKS if c not in for_kind(checks.SCHEMA_CHECKS, site.kind)]
                for check in skipped:
                    before = len(emit.findings)
                    check(site)
                    assert len(emit.findings) == before, (case["name"], check.__name__, site.kind)
    # the corpus has no changed response-header schema: no check declares that kind yet
    assert kinds_seen == set(SITE_KINDS) - {"response-header"}
