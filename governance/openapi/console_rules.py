"""The console's own rules: changes a client can feel that oasdiff has no rule for.

``build_rules.py`` appends these to ``rules.json`` after oasdiff's (each marked ``"source": "console"``,
with the ``reason`` for its level), so the registry stays one file read by ``rules.py``.

How levels are chosen (the same reading everywhere, written once here):

* a constraint **tightened** on what clients **send** refuses values they used to send: ERR
  (WARN when a bound is newly *set*: oasdiff's own convention, the new bound may still admit
  everything clients send); tightened on what they **receive**: INFO (fewer values arrive);
* a constraint **loosened** on what clients **receive** lets values arrive that they may not handle:
  ERR; loosened on what they send: INFO (more values are accepted);
* a change that is neither (``multipleOf`` 2 -> 3, a different pattern) breaks both directions: ERR,
  except where oasdiff has an analogue with a milder level (pattern: WARN / INFO);
* how a request is *serialised* (parameter style, explode, content media type, multipart encoding,
  where a credential goes) must match on both ends: ERR when it changes;
* what moves without the client's wire format changing but needs a person to act (server URLs,
  OAuth URLs, links, callbacks): WARN; anything additive: INFO.

The schema keyword rules are a product: place prefix x keyword x change (``KEYWORDS``, ``PREFIXES``),
minus the ids oasdiff already has (oasdiff's id and level win). The rest are listed one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUEST, RESPONSE = "request", "response"
TIGHTEN, LOOSEN, BOTH, ATTENTION = "tighten", "loosen", "both", "attention"


@dataclass(frozen=True)
class Prefix:
    direction: str
    subject: str  # how the message names the place; %s for its arguments (see keywords.py for their order)
    tail: str = ""


# place -> how it reads. The arguments: parameter (in, name), property (its name), header (its name);
# responses end with the status.
PREFIXES: dict[str, Prefix] = {
    "request-parameter": Prefix(REQUEST, "for the %s request parameter %s, the {kw}"),
    "request-parameter-property": Prefix(REQUEST, "for the %s request parameter %s, the {kw} of the property %s"),
    "request-body": Prefix(REQUEST, "the request body {kw}"),
    "request-property": Prefix(REQUEST, "the {kw} of the request property %s"),
    "response-body": Prefix(RESPONSE, "the response body {kw}", " for the status %s"),
    "response-property": Prefix(RESPONSE, "the {kw} of the response property %s", " for the status %s"),
    "response-header": Prefix(RESPONSE, "the {kw} of the response header %s", " for the status %s"),
    "response-header-property": Prefix(
        RESPONSE, "the {kw} of the property %s of the response header %s", " for the status %s"
    ),
}

# change word -> (message fragment after the subject, how many value arguments)
WORDS: dict[str, tuple[str, int]] = {
    "increased": (" was increased from %s to %s", 2),
    "decreased": (" was decreased from %s to %s", 2),
    "set": (" was set to %s", 1),
    "unset": (" was removed (it was %s)", 1),
    "added": (" was added: %s", 1),
    "removed": (" was removed (it was %s)", 1),
    "changed": (" was changed from %s to %s", 2),
    "narrowed": (" was changed from %s to %s, which admits fewer values", 2),
    "widened": (" was changed from %s to %s, which admits more values", 2),
    "became-exclusive": (" %s became exclusive", 1),
    "became-inclusive": (" %s became inclusive", 1),
    "enum-value-added": (" gained the enum value %s", 1),
    "enum-value-removed": (" lost the enum value %s", 1),
    "property-became-required": (" property %s became required", 1),
    "property-became-optional": (" property %s became optional", 1),
    "became-false": (" became `false`: no value is valid", 0),
    "became-true": (" became `true`: any value is valid", 0),
}

_PRESENCE_WORDS = {"added": (" was added", 0), "removed": (" was removed", 0)}


@dataclass(frozen=True)
class Keyword:
    keyword: str  # the JSON Schema keyword
    segment: str  # in the rule id
    label: str  # in the message
    words: dict[str, str]  # change word -> effect (TIGHTEN / LOOSEN / BOTH / ATTENTION)
    prefixes: tuple[str, ...] = tuple(PREFIXES)
    presence: bool = False  # a sub-schema: "added" / "removed" say it appeared / went, with no value


_LOWER = {"increased": TIGHTEN, "decreased": LOOSEN, "set": TIGHTEN, "unset": LOOSEN}
_UPPER = {"increased": LOOSEN, "decreased": TIGHTEN, "set": TIGHTEN, "unset": LOOSEN}
_ZERO_LOWER = {"increased": TIGHTEN, "decreased": LOOSEN}  # absent reads as 0 (oasdiff's uint64s)
_VALUE = {"added": TIGHTEN, "removed": LOOSEN, "changed": BOTH}
_PRESENCE = {"added": TIGHTEN, "removed": LOOSEN}
# where oasdiff already walks a 3.1 sub-schema's presence: the bodies and their properties
_NOT_BODIES = ("request-parameter", "request-parameter-property", "response-header", "response-header-property")

KEYWORDS: tuple[Keyword, ...] = (
    Keyword("minimum", "min", "minimum", _LOWER),
    Keyword("maximum", "max", "maximum", _UPPER),
    Keyword("exclusiveMinimum", "exclusive-min", "exclusiveMinimum", _LOWER),
    Keyword("exclusiveMaximum", "exclusive-max", "exclusiveMaximum", _UPPER),
    # 3.0: a boolean beside minimum / maximum
    Keyword("exclusiveMinimum", "min", "minimum", {"became-exclusive": TIGHTEN, "became-inclusive": LOOSEN}),
    Keyword("exclusiveMaximum", "max", "maximum", {"became-exclusive": TIGHTEN, "became-inclusive": LOOSEN}),
    Keyword("minLength", "min-length", "minLength", _ZERO_LOWER),
    Keyword("maxLength", "max-length", "maxLength", _UPPER),
    Keyword("minItems", "min-items", "minItems", _ZERO_LOWER),
    Keyword("maxItems", "max-items", "maxItems", _UPPER),
    Keyword("minProperties", "min-properties", "minProperties", _ZERO_LOWER),
    Keyword("maxProperties", "max-properties", "maxProperties", _UPPER),
    Keyword("minContains", "min-contains", "minContains", _LOWER),
    Keyword("maxContains", "max-contains", "maxContains", _UPPER),
    Keyword(
        "multipleOf",
        "multiple-of",
        "multipleOf",
        {"set": TIGHTEN, "unset": LOOSEN, "narrowed": TIGHTEN, "widened": LOOSEN, "changed": BOTH},
    ),
    Keyword("uniqueItems", "unique-items", "uniqueItems", {"set": TIGHTEN, "unset": LOOSEN}),
    Keyword("pattern", "pattern", "pattern", _VALUE),
    Keyword("const", "const", "const", _VALUE),
    Keyword("contentMediaType", "content-media-type", "contentMediaType", _VALUE),
    Keyword("contentEncoding", "content-encoding", "contentEncoding", _VALUE),
    Keyword("enum", "", "enum", {"enum-value-added": LOOSEN, "enum-value-removed": TIGHTEN}),
    Keyword("xml", "xml", "xml", {"changed": ATTENTION}),
    Keyword("not", "not-schema", "'not' subschema", _PRESENCE, presence=True),
    Keyword(
        "additionalProperties",
        "additional-properties",
        "additionalProperties",
        {"narrowed": TIGHTEN, "widened": LOOSEN},
    ),
    # 3.1 sub-schemas: oasdiff reports their presence on bodies and properties, not on parameters/headers
    *(
        Keyword(k, s, f"'{k}' subschema", _PRESENCE, _NOT_BODIES, presence=True)
        for k, s in (
            ("contains", "contains"),
            ("propertyNames", "property-names"),
            ("patternProperties", "pattern-properties"),
            ("dependentSchemas", "dependent-schemas"),
            ("dependentRequired", "dependent-required"),
            ("unevaluatedItems", "unevaluated-items"),
            ("unevaluatedProperties", "unevaluated-properties"),
            ("prefixItems", "prefix-items"),
            ("if", "if"),
            ("then", "then"),
            ("else", "else"),
            ("contentSchema", "content-schema"),
        )
    ),
    # an object-valued query / path / cookie parameter (header ones: oasdiff's request-header-property-*)
    Keyword(
        "required",
        "",
        "object",
        {"property-became-required": TIGHTEN, "property-became-optional": LOOSEN},
        ("request-parameter",),
    ),
    # a boolean schema (3.1): `false` admits nothing, `true` / {} everything
    Keyword("$schema-value", "schema", "schema", {"became-false": TIGHTEN, "became-true": LOOSEN}),
)

# oasdiff ids that say the same as a generated one under another name: the generated one is not emitted
ALIASES = {"response-body-enum-value-removed": "response-mediatype-enum-value-removed"}

_ENUM_LEVELS = {  # oasdiff's own enum levels, carried over to the places it has no rule for
    (REQUEST, "enum-value-added"): "INFO",
    (REQUEST, "enum-value-removed"): "ERR",
    (RESPONSE, "enum-value-added"): "WARN",
    (RESPONSE, "enum-value-removed"): "INFO",
}

REASONS = {
    (REQUEST, TIGHTEN): "tightened on what clients send: values they used to send are refused",
    (REQUEST, "tighten-set"): "a bound newly set on what clients send: it may refuse values they send (oasdiff's -set)",
    (REQUEST, LOOSEN): "loosened on what clients send: more values are accepted",
    (RESPONSE, TIGHTEN): "tightened on what clients receive: fewer values arrive",
    (RESPONSE, LOOSEN): "loosened on what clients receive: values may arrive that clients do not handle",
    (REQUEST, BOTH): "changed on what clients send: some values they used to send are refused",
    (RESPONSE, BOTH): "changed on what clients receive: values may arrive that clients do not handle",
    (REQUEST, ATTENTION): "changes the XML form clients must send",
    (RESPONSE, ATTENTION): "changes the XML form clients read",
}


def keyword_level(direction: str, effect: str, word: str, keyword: str) -> tuple[str, str]:
    """(level, reason) of one generated schema keyword rule."""
    if keyword == "enum":
        level = _ENUM_LEVELS[(direction, word)]
        return level, "oasdiff's levels for enum values at the places it has no rule for"
    if keyword == "pattern" and effect == BOTH:  # oasdiff: request-property-pattern-changed WARN, response INFO
        return (
            ("WARN", "oasdiff's level for a changed pattern")
            if direction == REQUEST
            else (
                "INFO",
                "oasdiff's level for a changed pattern",
            )
        )
    if effect == ATTENTION:
        return "WARN", REASONS[(direction, effect)]
    if direction == REQUEST and effect == TIGHTEN and word == "set":
        return "WARN", REASONS[(REQUEST, "tighten-set")]
    bad = (direction == REQUEST and effect == TIGHTEN) or (direction == RESPONSE and effect == LOOSEN) or effect == BOTH
    return ("ERR" if bad else "INFO"), REASONS[(direction, effect)]


def keyword_rule_id(prefix: str, keyword: Keyword, word: str) -> str:
    return "-".join(part for part in (prefix, keyword.segment, word) if part)


def keyword_message(prefix: str, keyword: Keyword, word: str) -> str:
    place = PREFIXES[prefix]
    fragment = _PRESENCE_WORDS[word][0] if keyword.presence else WORDS[word][0]
    return place.subject.replace("{kw}", keyword.label) + fragment + place.tail


KEYWORDS_CHECK = "ConsoleSchemaKeywordsCheck"


def _keyword_rules(oasdiff_ids: set[str]) -> list[dict[str, str | None]]:
    rules: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for keyword in KEYWORDS:
        for prefix in keyword.prefixes:
            direction = PREFIXES[prefix].direction
            for word, effect in keyword.words.items():
                rule_id = keyword_rule_id(prefix, keyword, word)
                if rule_id in oasdiff_ids or ALIASES.get(rule_id) in oasdiff_ids or rule_id in seen:
                    continue
                seen.add(rule_id)
                level, reason = keyword_level(direction, effect, word, keyword.keyword)
                rules.append(_entry(rule_id, level, keyword_message(prefix, keyword, word), KEYWORDS_CHECK, reason))
    return rules


def _entry(rule_id: str, level: str, message: str, check: str, reason: str) -> dict[str, str | None]:
    return {"id": rule_id, "level": level, "message": message, "check": check, "source": "console", "reason": reason}


# (id, level, message, check, reason): the rules outside the keyword product
_LISTED: tuple[tuple[str, str, str, str, str], ...] = (
    # parameters: how a value is written on the wire (checks/serialization.py)
    (
        "request-parameter-style-changed",
        "ERR",
        "the %s request parameter %s style changed from %s to %s",
        "RequestParameterSerializationCheck",
        "clients serialise the value the way the server no longer reads",
    ),
    (
        "request-parameter-explode-changed",
        "ERR",
        "the %s request parameter %s explode changed from %s to %s",
        "RequestParameterSerializationCheck",
        "clients serialise the array/object the way the server no longer reads",
    ),
    (
        "request-parameter-allow-reserved-removed",
        "ERR",
        "the %s request parameter %s no longer allows reserved characters unencoded",
        "RequestParameterSerializationCheck",
        "clients sending reserved characters as they are are misread",
    ),
    (
        "request-parameter-allow-reserved-added",
        "INFO",
        "the %s request parameter %s now allows reserved characters unencoded",
        "RequestParameterSerializationCheck",
        "additive: encoded values still work",
    ),
    (
        "request-parameter-allow-empty-value-removed",
        "ERR",
        "the %s request parameter %s no longer allows an empty value",
        "RequestParameterSerializationCheck",
        "clients sending the parameter empty are refused",
    ),
    (
        "request-parameter-allow-empty-value-added",
        "INFO",
        "the %s request parameter %s now allows an empty value",
        "RequestParameterSerializationCheck",
        "additive: more requests are accepted",
    ),
    (
        "request-parameter-content-changed",
        "ERR",
        "the %s request parameter %s is now written as %s instead of %s",
        "RequestParameterSerializationCheck",
        "clients encode the value in a form the server no longer reads",
    ),
    # request bodies / responses: multipart and form encodings
    (
        "request-body-encoding-changed",
        "ERR",
        "the encoding of the part %s of the request body media type %s changed",
        "MediaTypeEncodingCheck",
        "clients encode the part the way the server no longer reads",
    ),
    (
        "response-body-encoding-changed",
        "WARN",
        "the encoding of the part %s of the response media type %s changed for the status %s",
        "MediaTypeEncodingCheck",
        "clients must decode the part differently",
    ),
    # response headers
    (
        "response-header-became-required",
        "INFO",
        "the response header %s became required for the status %s",
        "ResponseHeaderSerializationCheck",
        "additive: the header now always arrives",
    ),
    (
        "response-header-explode-changed",
        "ERR",
        "the response header %s explode changed from %s to %s for the status %s",
        "ResponseHeaderSerializationCheck",
        "clients split the header value the way it is no longer written",
    ),
    (
        "response-header-style-changed",
        "ERR",
        "the response header %s style changed from %s to %s for the status %s",
        "ResponseHeaderSerializationCheck",
        "clients parse the header value the way it is no longer written",
    ),
    (
        "response-header-content-changed",
        "ERR",
        "the response header %s is now written as %s instead of %s for the status %s",
        "ResponseHeaderSerializationCheck",
        "clients decode the header in a form it is no longer written in",
    ),
    # security schemes (oasdiff compares only the type and the implicit flow)
    (
        "api-security-component-authentication-changed",
        "ERR",
        "the security scheme %s now authenticates by %s instead of %s",
        "ConsoleSecuritySchemeCheck",
        "clients must obtain and send another kind of credential (oasdiff's type-changed says it at INFO)",
    ),
    (
        "api-security-component-in-changed",
        "ERR",
        "the security scheme %s now expects its credential in %s instead of %s",
        "ConsoleSecuritySchemeCheck",
        "clients send the credential where the server no longer looks",
    ),
    (
        "api-security-component-name-changed",
        "ERR",
        "the security scheme %s now expects its credential under the name %s instead of %s",
        "ConsoleSecuritySchemeCheck",
        "clients send the credential under a name the server no longer reads",
    ),
    (
        "api-security-component-scheme-changed",
        "ERR",
        "the HTTP authentication scheme of the security scheme %s changed from %s to %s",
        "ConsoleSecuritySchemeCheck",
        "clients authenticate with a scheme the server no longer accepts",
    ),
    (
        "api-security-component-bearer-format-changed",
        "WARN",
        "the bearer format of the security scheme %s changed from %s to %s",
        "ConsoleSecuritySchemeCheck",
        "a hint, not enforced by the spec: the tokens clients obtain may change",
    ),
    (
        "api-security-component-open-id-connect-url-changed",
        "WARN",
        "the OpenID Connect URL of the security scheme %s changed from %s to %s",
        "ConsoleSecuritySchemeCheck",
        "clients configured with the old discovery URL must follow",
    ),
    (
        "api-security-component-oauth2-metadata-url-changed",
        "WARN",
        "the OAuth 2.0 authorization server metadata URL of the security scheme %s changed from %s to %s",
        "ConsoleSecuritySchemeCheck",
        "clients that discover the OAuth endpoints from the old metadata URL must follow (OpenAPI 3.2)",
    ),
    (
        "api-security-component-oauth-flow-added",
        "INFO",
        "the OAuth flow %s was added to the security scheme %s",
        "ConsoleSecuritySchemeCheck",
        "additive: a new way to obtain a token",
    ),
    (
        "api-security-component-oauth-flow-removed",
        "ERR",
        "the OAuth flow %s was removed from the security scheme %s",
        "ConsoleSecuritySchemeCheck",
        "clients using that flow can no longer obtain a token",
    ),
    (
        "api-security-component-oauth-flow-url-changed",
        "WARN",
        "the %s of the OAuth flow %s of the security scheme %s changed from %s to %s",
        "ConsoleSecuritySchemeCheck",
        "clients configured with the old URL must follow",
    ),
    (
        "api-security-component-oauth-flow-scope-added",
        "INFO",
        "the scope %s was added to the OAuth flow %s of the security scheme %s",
        "ConsoleSecuritySchemeCheck",
        "additive",
    ),
    (
        "api-security-component-oauth-flow-scope-removed",
        "ERR",
        "the scope %s was removed from the OAuth flow %s of the security scheme %s",
        "ConsoleSecuritySchemeCheck",
        "clients requesting the scope are refused it",
    ),
    # servers (document, path item, operation)
    ("api-server-added", "INFO", "the server %s was added", "ConsoleServersCheck", "additive"),
    (
        "api-server-removed",
        "ERR",
        "the server %s was removed",
        "ConsoleServersCheck",
        "clients calling that server lose it",
    ),
    (
        "api-server-variable-enum-value-removed",
        "ERR",
        "the value %s of the variable %s of the server %s was removed",
        "ConsoleServersCheck",
        "clients using that value lose the server",
    ),
    (
        "api-server-variable-enum-value-added",
        "INFO",
        "the value %s was added to the variable %s of the server %s",
        "ConsoleServersCheck",
        "additive",
    ),
    (
        "api-server-variable-default-changed",
        "WARN",
        "the default of the variable %s of the server %s changed from %s to %s",
        "ConsoleServersCheck",
        "clients relying on the default now reach another server",
    ),
    # callbacks and links
    (
        "callback-added",
        "INFO",
        "the callback %s was added",
        "ConsoleCallbacksCheck",
        "additive, though clients that register the URL must now accept the calls",
    ),
    (
        "callback-removed",
        "ERR",
        "the callback %s was removed",
        "ConsoleCallbacksCheck",
        "clients waiting for the calls no longer get them",
    ),
    (
        "callback-operation-added",
        "INFO",
        "the callback %s gained the operation %s %s",
        "ConsoleCallbacksCheck",
        "additive",
    ),
    (
        "callback-operation-removed",
        "ERR",
        "the callback %s lost the operation %s %s",
        "ConsoleCallbacksCheck",
        "clients waiting for those calls no longer get them",
    ),
    (
        "callback-operation-changed",
        "WARN",
        "the callback %s operation %s %s changed",
        "ConsoleCallbacksCheck",
        "the request the server sends to clients, or the answer it expects, changed",
    ),
    (
        "response-link-added",
        "INFO",
        "the link %s was added to the response for the status %s",
        "ConsoleLinksCheck",
        "additive",
    ),
    (
        "response-link-removed",
        "WARN",
        "the link %s was removed from the response for the status %s",
        "ConsoleLinksCheck",
        "clients following the link lose it",
    ),
    (
        "response-link-changed",
        "WARN",
        "the link %s of the response for the status %s changed",
        "ConsoleLinksCheck",
        "clients following the link must build the next request differently",
    ),
    # OpenAPI 3.2 document annotations: how tools group and name things, nothing on the wire
    (
        "api-tag-parent-changed",
        "INFO",
        "the parent of the tag %s changed from %s to %s",
        "ConsoleOpenAPI32Check",
        "documentation grouping (OpenAPI 3.2 tag parent): nothing a client sends or receives",
    ),
    (
        "api-tag-kind-changed",
        "INFO",
        "the kind of the tag %s changed from %s to %s",
        "ConsoleOpenAPI32Check",
        "documentation grouping (OpenAPI 3.2 tag kind): nothing a client sends or receives",
    ),
    (
        "api-self-changed",
        "INFO",
        "the document's own URI ($self) changed from %s to %s",
        "ConsoleOpenAPI32Check",
        "relative references resolve against it, but the API's wire format does not change",
    ),
)


def console_rules(oasdiff_ids: set[str]) -> list[dict[str, str | None]]:
    """Every console rule as a rules.json entry (the keyword product first, then the listed ones)."""
    listed = [_entry(*row) for row in _LISTED if row[0] not in oasdiff_ids]
    return _keyword_rules(oasdiff_ids) + listed
