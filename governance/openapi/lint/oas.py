"""``spectral:oas``: Spectral 6's OpenAPI ruleset (spectral-rulesets 1.23), rule for rule.

Data only (ruleset.py builds it for ``extends: spectral:oas``). The data below is Spectral's ruleset with its functions named (core functions, and the
``oas*`` ones of functions/oas.py); codes, severities, messages, givens and formats are Spectral's.
"""

from __future__ import annotations

from typing import Any

_OAS2, _OAS3, _OAS3_0, _OAS3_1, _OAS3_2 = "oas2", "oas3", "oas3.0", "oas3.1", "oas3.2"
_EXAMPLE_FILTER = "@property !== 'properties' && @ && (@ && @.example !== void 0 || @.default !== void 0) && (@.enum || @.type || @.format || @.$ref || @.properties || @.items)"
_EXAMPLE_FILTER_2 = "@property !== 'properties' && @ && (@.example !== void 0 || @['x-example'] !== void 0 || @.default !== void 0) && (@.enum || @.type || @.format || @.$ref || @.properties || @.items)"
_DRAFT7_ARRAY = {"dialect": "draft7", "schema": {"type": "array", "minItems": 1}}


def _truthy(field: str) -> dict[str, Any]:
    return {"field": field, "function": "truthy"}


def _not_match(pattern: str, field: str | None = None) -> dict[str, Any]:
    then: dict[str, Any] = {"function": "pattern", "functionOptions": {"notMatch": pattern}}
    if field:
        then["field"] = field
    return then


SPECTRAL_OAS: dict[str, Any] = {
    "documentationUrl": "https://meta.stoplight.io/docs/spectral/docs/reference/openapi-rules.md",
    "formats": [_OAS2, _OAS3, _OAS3_0, _OAS3_1, _OAS3_2],
    "aliases": {
        "PathItem": ["$.paths[*]"],
        "OperationObject": ["#PathItem[get,put,post,delete,options,head,patch,trace]"],
        "SecurityRequirementObject": ["$.security[*]", "#OperationObject.security[*]"],
        "ResponseObject": {
            "targets": [
                {"formats": [_OAS2], "given": ["#OperationObject.responses[*]", "$.responses[*]"]},
                {"formats": [_OAS3], "given": ["#OperationObject.responses[*]", "$.components.responses[*]"]},
            ]
        },
        "LinkObject": {
            "targets": [{"formats": [_OAS3], "given": ["$.components.links[*]", "#ResponseObject.links[*]"]}]
        },
        "ArrayProperties": {
            "targets": [
                {"formats": [_OAS2, _OAS3_0], "given": ['$..[?(@ && @.type=="array")]']},
                {
                    "formats": [_OAS3_1, _OAS3_2],
                    "given": [
                        '$..[?(@ && @.type=="array")]',
                        '$..[?(@ && @.type && @.type.constructor.name === "Array" && @.type.includes("array"))]',
                    ],
                },
            ]
        },
    },
    "rules": {
        "operation-success-response": {
            "description": 'Operation must have at least one "2xx" or "3xx" response.',
            "recommended": True,
            "given": "#OperationObject",
            "then": {"field": "responses", "function": "oasOpSuccessResponse"},
        },
        "oas2-operation-formData-consume-check": {
            "description": 'Operations with "in: formData" parameter must include "application/x-www-form-urlencoded" or "multipart/form-data" in their "consumes" property.',
            "recommended": True,
            "formats": [_OAS2],
            "given": "#OperationObject",
            "then": {"function": "oasOpFormDataConsumeCheck"},
        },
        "operation-operationId-unique": {
            "description": 'Every operation must have unique "operationId".',
            "recommended": True,
            "severity": 0,
            "given": "$.paths",
            "then": {"function": "oasOpIdUnique"},
        },
        "operation-parameters": {
            "description": "Operation parameters are unique and non-repeating.",
            "message": "{{error}}",
            "recommended": True,
            "given": "#OperationObject.parameters",
            "then": {"function": "oasOpParams"},
        },
        "operation-tag-defined": {
            "description": "Operation tags must be defined in global tags.",
            "recommended": True,
            "given": "$",
            "then": {"function": "oasTagDefined"},
        },
        "path-params": {
            "description": "Path parameters must be defined and valid.",
            "message": "{{error}}",
            "severity": 0,
            "recommended": True,
            "given": "$.paths",
            "then": {"function": "oasPathParam"},
        },
        "contact-properties": {
            "description": 'Contact object must have "name", "url" and "email".',
            "recommended": False,
            "given": "$.info.contact",
            "then": [_truthy("name"), _truthy("url"), _truthy("email")],
        },
        "duplicated-entry-in-enum": {
            "description": "Enum values must not have duplicate entry.",
            "severity": "warn",
            "recommended": True,
            "message": "{{error}}",
            "given": [
                "$..[?(@property !== 'properties' && @ != null && @.enum && @.enum.constructor.name === 'Array')]"
            ],
            "then": {
                "field": "enum",
                "function": "oasSchema",
                "functionOptions": {"schema": {"type": "array", "uniqueItems": True}},
            },
        },
        "info-contact": {
            "description": 'Info object must have "contact" object.',
            "recommended": True,
            "given": "$",
            "then": _truthy("info.contact"),
        },
        "info-description": {
            "description": 'Info "description" must be present and non-empty string.',
            "recommended": True,
            "given": "$",
            "then": _truthy("info.description"),
        },
        "info-license": {
            "description": 'Info object must have "license" object.',
            "recommended": False,
            "given": "$",
            "then": _truthy("info.license"),
        },
        "license-url": {
            "description": 'License object must include "url".',
            "recommended": False,
            "given": "$",
            "then": _truthy("info.license.url"),
        },
        "no-eval-in-markdown": {
            "description": 'Markdown descriptions must not have "eval(".',
            "recommended": True,
            "given": "$..[description,title]",
            "then": _not_match("eval\\("),
        },
        "no-script-tags-in-markdown": {
            "description": 'Markdown descriptions must not have "<script>" tags.',
            "recommended": True,
            "given": "$..[description,title]",
            "then": _not_match("<script"),
        },
        "openapi-tags-alphabetical": {
            "description": 'OpenAPI object must have alphabetical "tags".',
            "recommended": False,
            "given": "$",
            "then": {"field": "tags", "function": "alphabetical", "functionOptions": {"keyedBy": "name"}},
        },
        "openapi-tags-uniqueness": {
            "description": "Each tag must have a unique name.",
            "message": "{{error}}",
            "severity": "error",
            "recommended": True,
            "given": "$.tags",
            "then": {"function": "uniquenessTags"},
        },
        "openapi-tags": {
            "description": 'OpenAPI object must have non-empty "tags" array.',
            "recommended": False,
            "given": "$",
            "then": {"field": "tags", "function": "schema", "functionOptions": _DRAFT7_ARRAY},
        },
        "operation-description": {
            "description": 'Operation "description" must be present and non-empty string.',
            "recommended": True,
            "given": "#OperationObject",
            "then": _truthy("description"),
        },
        "operation-operationId": {
            "description": 'Operation must have "operationId".',
            "recommended": True,
            "given": "#OperationObject",
            "then": _truthy("operationId"),
        },
        "operation-operationId-valid-in-url": {
            "message": "operationId must not contain characters that are invalid when used in URL.",
            "recommended": True,
            "given": "#OperationObject",
            "then": {
                "field": "operationId",
                "function": "pattern",
                "functionOptions": {"match": "^[A-Za-z0-9-._~:/?#\\[\\]@!\\$&'()*+,;=]*$"},
            },
        },
        "operation-singular-tag": {
            "description": "Operation must not have more than a single tag.",
            "recommended": False,
            "given": "#OperationObject",
            "then": {"field": "tags", "function": "length", "functionOptions": {"max": 1}},
        },
        "operation-tags": {
            "description": 'Operation must have non-empty "tags" array.',
            "recommended": True,
            "given": "#OperationObject",
            "then": {"field": "tags", "function": "schema", "functionOptions": _DRAFT7_ARRAY},
        },
        "path-declarations-must-exist": {
            "message": 'Path parameter declarations must not be empty, ex."/given/{}" is invalid.',
            "recommended": True,
            "given": "$.paths",
            "then": _not_match("{}", "@key"),
        },
        "path-keys-no-trailing-slash": {
            "message": "Path must not end with slash.",
            "recommended": True,
            "given": "$.paths",
            "then": _not_match(".+\\/$", "@key"),
        },
        "path-not-include-query": {
            "description": "Path must not include query string.",
            "recommended": True,
            "given": "$.paths",
            "then": _not_match("\\?", "@key"),
        },
        "tag-description": {
            "description": 'Tag object must have "description".',
            "recommended": False,
            "given": "$.tags[*]",
            "then": _truthy("description"),
        },
        "no-$ref-siblings": {
            "formats": [_OAS2, _OAS3_0],
            "description": "Property must not be placed among $ref",
            "message": "{{error}}",
            "severity": 0,
            "recommended": True,
            "resolved": False,
            "given": "$..[?(@property === '$ref')]",
            "then": {"function": "refSiblings"},
        },
        "array-items": {
            "message": 'Schemas with "type: array", require a sibling "items" field',
            "severity": 0,
            "recommended": True,
            "resolved": False,
            "given": "#ArrayProperties",
            "then": {"function": "truthy", "field": "items"},
        },
        "typed-enum": {
            "description": "Enum values must respect the specified type.",
            "message": "{{error}}",
            "recommended": True,
            "given": "$..[?(@ && @.enum && @.type)]",
            "then": {"function": "typedEnum"},
        },
        "oas2-api-host": {
            "description": 'OpenAPI "host" must be present and non-empty string.',
            "recommended": True,
            "formats": [_OAS2],
            "given": "$",
            "then": _truthy("host"),
        },
        "oas2-api-schemes": {
            "description": 'OpenAPI host "schemes" must be present and non-empty array.',
            "recommended": True,
            "formats": [_OAS2],
            "given": "$",
            "then": {
                "field": "schemes",
                "function": "schema",
                "functionOptions": {
                    "dialect": "draft7",
                    "schema": {"items": {"type": "string"}, "minItems": 1, "type": "array"},
                },
            },
        },
        "oas2-discriminator": {
            "description": "discriminator property must be defined and required",
            "recommended": True,
            "formats": [_OAS2],
            "severity": 0,
            "message": "{{error}}",
            "given": "$.definitions[?(@ && @.discriminator)]",
            "then": {"function": "oasDiscriminator"},
        },
        "oas2-host-not-example": {
            "description": "Host URL must not point at example.com.",
            "recommended": False,
            "formats": [_OAS2],
            "given": "$",
            "then": _not_match("example\\.com", "host"),
        },
        "oas2-host-trailing-slash": {
            "description": "Server URL must not have trailing slash.",
            "recommended": True,
            "formats": [_OAS2],
            "given": "$",
            "then": _not_match("/$", "host"),
        },
        "oas2-parameter-description": {
            "description": 'Parameter objects must have "description".',
            "recommended": False,
            "formats": [_OAS2],
            "given": "$..parameters[?(@ && @.in)]",
            "then": _truthy("description"),
        },
        "oas2-operation-security-defined": {
            "description": 'Operation "security" values must match a scheme defined in the "securityDefinitions" object.',
            "message": "{{error}}",
            "recommended": True,
            "formats": [_OAS2],
            "given": "#SecurityRequirementObject",
            "then": {"function": "oasSecurityDefined", "functionOptions": {"oasVersion": 2}},
        },
        "oas2-valid-schema-example": {
            "description": "Examples must be valid against their defined schema.",
            "message": "{{error}}",
            "recommended": True,
            "formats": [_OAS2],
            "severity": 0,
            "given": [
                f"$..definitions..[?({_EXAMPLE_FILTER_2})]",
                f"$..parameters..[?({_EXAMPLE_FILTER_2})]",
                f"$..responses..[?({_EXAMPLE_FILTER_2})]",
            ],
            "then": {
                "function": "oasExample",
                "functionOptions": {"schemaField": "$", "oasVersion": 2, "type": "schema"},
            },
        },
        "oas2-valid-media-example": {
            "description": "Examples must be valid against their defined schema.",
            "message": "{{error}}",
            "recommended": True,
            "formats": [_OAS2],
            "severity": 0,
            "given": "$..responses..[?(@ && @.schema && @.examples)]",
            "then": {
                "function": "oasExample",
                "functionOptions": {"schemaField": "schema", "oasVersion": 2, "type": "media"},
            },
        },
        "oas2-anyOf": {
            "message": '"anyOf" keyword must not be used in OpenAPI v2 document.',
            "description": "anyOf is not available in OpenAPI v2, it was added in OpenAPI v3",
            "recommended": True,
            "formats": [_OAS2],
            "given": "$..anyOf",
            "then": {"function": "undefined"},
        },
        "oas2-oneOf": {
            "message": '"oneOf" keyword must not be used in OpenAPI v2 document.',
            "description": "oneOf is not available in OpenAPI v2, it was added in OpenAPI v3",
            "recommended": True,
            "formats": [_OAS2],
            "given": "$..oneOf",
            "then": {"function": "undefined"},
        },
        "oas2-schema": {
            "description": "Validate structure of OpenAPI v2 specification.",
            "message": "{{error}}.",
            "recommended": True,
            "formats": [_OAS2],
            "severity": 0,
            "resolved": False,
            "given": "$",
            "then": {"function": "oasDocumentSchema"},
        },
        "oas2-unused-definition": {
            "description": "Potentially unused definition has been detected.",
            "recommended": True,
            "resolved": False,
            "formats": [_OAS2],
            "given": "$.definitions",
            "then": {
                "function": "unreferencedReusableObject",
                "functionOptions": {"reusableObjectsLocation": "#/definitions"},
            },
        },
        "oas3-api-servers": {
            "description": 'OpenAPI "servers" must be present and non-empty array.',
            "recommended": True,
            "formats": [_OAS3],
            "given": "$",
            "then": {
                "field": "servers",
                "function": "schema",
                "functionOptions": {
                    "dialect": "draft7",
                    "schema": {"items": {"type": "object"}, "minItems": 1, "type": "array"},
                },
            },
        },
        "oas3-examples-value-or-externalValue": {
            "description": 'Examples must have either "value" or "externalValue" field.',
            "recommended": True,
            "formats": [_OAS3],
            "given": [
                "$.components.examples[*]",
                "$.paths[*][*]..content[*].examples[*]",
                "$.paths[*][*]..parameters[*].examples[*]",
                "$.components.parameters[*].examples[*]",
                "$.paths[*][*]..headers[*].examples[*]",
                "$.components.headers[*].examples[*]",
            ],
            "then": {"function": "xor", "functionOptions": {"properties": ["externalValue", "value"]}},
        },
        "oas3-operation-security-defined": {
            "description": 'Operation "security" values must match a scheme defined in the "components.securitySchemes" object.',
            "message": "{{error}}",
            "recommended": True,
            "formats": [_OAS3],
            "given": "#SecurityRequirementObject",
            "then": {"function": "oasSecurityDefined", "functionOptions": {"oasVersion": 3}},
        },
        "oas3-parameter-description": {
            "description": 'Parameter objects must have "description".',
            "recommended": False,
            "formats": [_OAS3],
            "given": [
                "#PathItem.parameters[?(@ && @.in)]",
                "#OperationObject.parameters[?(@ && @.in)]",
                "$.components.parameters[?(@ && @.in)]",
            ],
            "then": _truthy("description"),
        },
        "oas3-server-not-example.com": {
            "description": "Server URL must not point at example.com.",
            "recommended": False,
            "formats": [_OAS3],
            "given": "$.servers[*].url",
            "then": _not_match("example\\.com"),
        },
        "oas3-server-trailing-slash": {
            "description": "Server URL must not have trailing slash.",
            "recommended": True,
            "formats": [_OAS3],
            "given": "$.servers[*].url",
            "then": _not_match("./$"),
        },
        "oas3-valid-media-example": {
            "description": "Examples must be valid against their defined schema.",
            "message": "{{error}}",
            "recommended": True,
            "severity": 0,
            "formats": [_OAS3],
            "given": [
                "$..content..[?(@ && @.schema && (@.example !== void 0 || @.examples))]",
                "$..headers..[?(@ && @.schema && (@.example !== void 0 || @.examples))]",
                "$..parameters..[?(@ && @.schema && (@.example !== void 0 || @.examples))]",
            ],
            "then": {
                "function": "oasExample",
                "functionOptions": {"schemaField": "schema", "oasVersion": 3, "type": "media"},
            },
        },
        "oas3-valid-schema-example": {
            "description": "Examples must be valid against their defined schema.",
            "message": "{{error}}",
            "severity": 0,
            "formats": [_OAS3],
            "recommended": True,
            "given": [
                f"$.components.schemas..[?({_EXAMPLE_FILTER})]",
                f"$..content..[?({_EXAMPLE_FILTER})]",
                f"$..headers..[?({_EXAMPLE_FILTER})]",
                f"$..parameters..[?({_EXAMPLE_FILTER})]",
            ],
            "then": {
                "function": "oasExample",
                "functionOptions": {"schemaField": "$", "oasVersion": 3, "type": "schema"},
            },
        },
        "oas3-schema": {
            "description": "Validate structure of OpenAPI v3 specification.",
            "message": "{{error}}.",
            "severity": 0,
            "formats": [_OAS3],
            "recommended": True,
            "resolved": False,
            "given": "$",
            "then": {"function": "oasDocumentSchema"},
        },
        "oas3-unused-component": {
            "message": "Potentially unused component has been detected.",
            "recommended": True,
            "formats": [_OAS3],
            "resolved": False,
            "given": "$",
            "then": {"function": "oasUnusedComponent"},
        },
        "oas3-server-variables": {
            "description": "Server variables must be defined and valid and there must be no unused variables.",
            "message": "{{error}}",
            "severity": 0,
            "recommended": True,
            "given": ["$.servers[*]", "#PathItem.servers[*]", "#OperationObject.servers[*]", "#LinkObject.server"],
            "then": {
                "function": "serverVariables",
                "functionOptions": {"checkSubstitutions": True, "requireDefault": True},
            },
        },
        "oas3-callbacks-in-callbacks": {
            "message": "Callbacks should not be defined within a callback",
            "formats": [_OAS3],
            "recommended": True,
            "given": ["#OperationObject.callbacks[*][*][*].callbacks"],
            "then": {"function": "undefined"},
        },
        "oas3_1-servers-in-webhook": {
            "message": "Servers should not be defined in a webhook.",
            "formats": [_OAS3_1, _OAS3_2],
            "recommended": True,
            "given": ["$.webhooks.servers", "$.webhooks[*][*].servers"],
            "then": {"function": "undefined"},
        },
        "oas3_1-callbacks-in-webhook": {
            "message": "Callbacks should not be defined in a webhook.",
            "formats": [_OAS3_1, _OAS3_2],
            "recommended": True,
            "given": ["$.webhooks[*][*].callbacks"],
            "then": {"function": "undefined"},
        },
        "oas3_2-no-deprecated-xml-attribute": {
            "message": '"xml.attribute" is deprecated in OAS 3.2; use "xml.nodeType: attribute" instead.',
            "formats": [_OAS3_2],
            "recommended": True,
            "given": ["$..[?(@ && @.xml)].xml"],
            "then": {
                "function": "schema",
                "functionOptions": {
                    "schema": {"not": {"properties": {"attribute": {"const": True}}, "required": ["attribute"]}}
                },
            },
        },
    },
}
