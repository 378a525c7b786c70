"""The functions of Spectral's ``spectral:oas`` ruleset (spectral-rulesets 1.x), same messages/paths."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from ..jsonpath import UNDEFINED
from .base import Context, FunctionResult, RulesetFunction
from .document_schema import document_schema
from .examples import example, oas_schema

_OPERATIONS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def _obj(v: Any) -> bool:
    return isinstance(v, dict)


def all_operations(paths: Any) -> list[tuple[str, str, Any]]:
    if not isinstance(paths, dict):
        return []
    out = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method in _OPERATIONS and isinstance(operation, dict):
                out.append((path, method, operation))
    return out


def op_success_response(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    oas3 = "oas3" in context.document.formats
    for code in target:
        if oas3 and code in ("2XX", "3XX"):
            return None
        try:
            if 200 <= float(code) < 400:
                return None
        except ValueError:
            continue
    return [{"message": "Operation must define at least a single 2xx or 3xx response"}]


def op_form_data_consume_check(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    consumes = ",".join(str(c) for c in target["consumes"])
    if any(_obj(p) and p.get("in") == "formData" for p in target["parameters"]) and not re.search(
        r"(application/x-www-form-urlencoded|multipart/form-data)", consumes
    ):
        return [
            {
                "message": "Consumes must include urlencoded, multipart, or form-data media type when using formData parameter."
            }
        ]
    return None


def op_id_unique(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    seen: list[Any] = []
    results: list[FunctionResult] = []
    for path, method, operation in all_operations(target):
        if "operationId" not in operation:
            continue
        op_id = operation["operationId"]
        if any(type(s) is type(op_id) and s == op_id for s in seen):
            results.append({"message": "operationId must be unique.", "path": ["paths", path, method, "operationId"]})
        else:
            seen.append(op_id)
    return results


def op_params(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    if len(target) < 2:
        return None
    results: list[FunctionResult] = []
    seen: list[str] = []
    duplicates: list[int] = []
    body: list[int] = []
    form_data: list[int] = []
    for index, param in enumerate(target):
        if context.resolved:
            param = context.document.deref(param)[0]
        if not _obj(param) or "$ref" in param:
            continue
        fingerprint = f"{_js_str(param.get('in', UNDEFINED))}-{_js_str(param.get('name', UNDEFINED))}"
        if fingerprint in seen:
            duplicates.append(index)
        else:
            seen.append(fingerprint)
        if param.get("in") == "body":
            body.append(index)
        elif param.get("in") == "formData":
            form_data.append(index)
    for i in duplicates:
        results.append(
            {
                "message": 'A parameter in this operation already exposes the same combination of "name" and "in" values.',
                "path": [*context.path, i],
            }
        )
    if body and form_data:
        results.append({"message": 'Operation must not have both "in:body" and "in:formData" parameters.'})
    for i in body[1:]:
        results.append(
            {
                "message": 'Operation must not have more than a single instance of the "in:body" parameter.',
                "path": [*context.path, i],
            }
        )
    return results


def _js_str(v: Any) -> str:
    if v is UNDEFINED:
        return "undefined"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "[object Object]"
    return str(v)


def tag_defined(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    tags = target.get("tags")
    global_tags = (
        [t["name"] for t in tags if _obj(t) and isinstance(t.get("name"), str)] if isinstance(tags, list) else []
    )
    results: list[FunctionResult] = []
    for path, method, operation in all_operations(target.get("paths")):
        op_tags = operation.get("tags")
        if not isinstance(op_tags, list):
            continue
        for i, tag in enumerate(op_tags):
            if tag not in global_tags:
                results.append(
                    {
                        "message": "Operation tags must be defined in global tags.",
                        "path": ["paths", path, method, "tags", i],
                    }
                )
    return results


_PATH_PARAM = re.compile(r"(\{;?\??[a-zA-Z0-9_-]+\*?\})")


def path_param(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    results: list[FunctionResult] = []
    unique_paths: dict[str, str] = {}
    document = context.document

    def named(p: Any, path: list[Any], seen: dict[str, Any]) -> bool:
        if p.get("in", UNDEFINED) != "path" or p.get("name", UNDEFINED) is UNDEFINED:
            return False
        name = _js_str(p["name"])
        if p.get("required") is not True:
            results.append(
                {
                    "message": f'Path parameter "{name}" must have "required" property that is set to "true".',
                    "path": path,
                }
            )
        if name in seen:
            results.append({"message": f'Path parameter "{name}" must not be defined multiple times.', "path": path})
            return False
        return True

    for path, item in target.items():
        if context.resolved:
            item = document.deref(item)[0]
        if not _obj(item):
            continue
        normalized = _PATH_PARAM.sub("%", path)
        if normalized in unique_paths:
            results.append(
                {
                    "message": f'Paths "{unique_paths[normalized]}" and "{path}" must not be equivalent.',
                    "path": ["paths", path],
                }
            )
        else:
            unique_paths[normalized] = path
        elements: list[str] = []
        for match in _PATH_PARAM.finditer(path):
            name = re.sub(r"[{}?*;]", "", match.group(0))
            if name in elements:
                results.append(
                    {
                        "message": f'Path "{path}" must not use parameter "{{{name}}}" multiple times.',
                        "path": ["paths", path],
                    }
                )
            else:
                elements.append(name)
        top: dict[str, Any] = {}
        if isinstance(item.get("parameters"), list):
            for i, value in enumerate(item["parameters"]):
                if context.resolved:
                    value = document.deref(value)[0]
                if _obj(value):
                    full = ["paths", path, "parameters", i]
                    if named(value, full, top):
                        top[_js_str(value["name"])] = full
        for method, operation in item.items():
            if context.resolved:
                operation = document.deref(operation)[0]
            if not _obj(operation) or method == "parameters" or method not in _OPERATIONS:
                continue
            own: dict[str, Any] = {}
            parameters = operation.get("parameters")
            if isinstance(parameters, list):
                for i, p in enumerate(parameters):
                    if context.resolved:
                        p = document.deref(p)[0]
                    if _obj(p):
                        full = ["paths", path, method, "parameters", i]
                        if named(p, full, own):
                            own[_js_str(p["name"])] = full
            defined = {**top, **own}
            for name, where in defined.items():
                if where and name not in elements:
                    results.append({"message": f'Parameter "{name}" must be used in path "{path}".', "path": where})
            for name in elements:
                if name not in defined:
                    results.append(
                        {
                            "message": f'Operation must define parameter "{{{name}}}" as expected by path "{path}".',
                            "path": ["paths", path, method],
                        }
                    )
    return results


def _uniqueness_tags_accepts(target: Any) -> bool:
    return isinstance(target, list) and all(_obj(t) and isinstance(t.get("name"), str) for t in target)


def uniqueness_tags(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    names = [t["name"] for t in target]
    return [
        {"message": f'"tags" object contains duplicate tag name "{name}".', "path": [*context.path, i, "name"]}
        for i, name in enumerate(names)
        if names.index(name) != i
    ]


def ref_siblings(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    path = context.path
    if not path:
        return None
    parent: Any = context.document.data
    for segment in path[:-1]:
        if isinstance(parent, dict):
            parent = parent.get(segment, UNDEFINED) if isinstance(segment, str) else parent.get(str(segment), UNDEFINED)
        elif isinstance(parent, list) and isinstance(segment, int) and segment < len(parent):
            parent = parent[segment]
        else:
            return None
    if not _obj(parent) or len(parent) == 1:
        return None
    return [
        {"message": "$ref must not be placed next to any other properties", "path": [*path[:-1], key]}
        for key in parent
        if key != "$ref"
    ]


def _security_accepts(target: Any) -> bool:
    return _obj(target) and all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in target.values())


def security_defined(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    names = list(target)
    data = context.document.data
    if not names or not _obj(data):
        return None
    version = options["oasVersion"]
    if version == 2:
        definitions = data.get("securityDefinitions")
    else:
        definitions = data["components"].get("securitySchemes") if _obj(data.get("components")) else None
    results: list[FunctionResult] = []
    for name in names:
        if not _obj(definitions) or name not in definitions:
            what = "API" if len(context.path) == 2 else "Operation"
            where = "securityDefinitions" if version == 2 else "components.securitySchemes"
            results.append(
                {
                    "message": f'{what} "security" values must match a scheme defined in the "{where}" object.',
                    "path": [*context.path, name],
                }
            )
            continue
        scheme = definitions[name]
        for i, scope in enumerate(target[name]):
            if not _scope_defined(version, scope, scheme):
                results.append({"message": f'"{scope}" must be listed among scopes.', "path": [*context.path, name, i]})
    return results or None


def _scope_defined(version: int, scope: str, scheme: Any) -> bool:
    if not _obj(scheme):
        return False
    if version == 2:
        return _obj(scheme.get("scopes")) and scope in scheme["scopes"]
    flows = scheme.get("flows")
    if _obj(flows):
        return any(_obj(f) and _obj(f.get("scopes")) and scope in f["scopes"] for f in flows.values())
    return False


def discriminator(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    name = target["discriminator"]
    results: list[FunctionResult] = []
    properties = target.get("properties")
    if not _obj(properties) or name not in properties:
        results.append(
            {
                "message": "The discriminator property must be defined in this schema.",
                "path": [*context.path, "properties"],
            }
        )
    required = target.get("required")
    if not isinstance(required, list) or name not in required:
        results.append(
            {
                "message": "The discriminator property must be in the required property list.",
                "path": [*context.path, "required"],
            }
        )
    return results


def unused_component(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    referenced = context.document_refs()
    results: list[FunctionResult] = []
    for kind in ("schemas", "responses", "parameters", "examples", "requestBodies", "headers", "links", "callbacks"):
        value = target["components"].get(kind)
        if not _obj(value):
            continue
        for name in value:
            if ("components", kind, name) not in referenced:
                results.append(
                    {
                        "message": "Potential orphaned reusable object has been detected",
                        "path": ["components", kind, name],
                    }
                )
    return results


# --- server variables -----------------------------------------------------------------------
def _server_accepts(target: Any) -> bool:
    if not _obj(target) or not isinstance(target.get("url", UNDEFINED), str):
        return False
    variables = target.get("variables", UNDEFINED)
    if variables is UNDEFINED:
        return True
    if not _obj(variables):
        return False
    for variable in variables.values():
        if not _obj(variable):
            return False
        for key, value in variable.items():
            if key.startswith("x-"):
                continue
            if key == "enum":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    return False
            elif key in ("default", "description", "examples"):
                if not isinstance(value, str):
                    return False
            else:
                return False
    return True


def server_variables(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    results: list[FunctionResult] = []
    url = target["url"]
    found = re.findall(r"{(.+?)}", url)
    variables = target.get("variables")
    defined = list(variables) if _obj(variables) else []
    path = list(context.path)
    if defined:
        for name in defined:
            if name not in found:
                results.append(
                    {
                        "message": f'Server\'s "variables" object has unused defined "{name}" url variable.',
                        "path": [*path, "variables", name],
                    }
                )
    if not found:
        return results
    missing = found if not defined else [v for v in found if v not in defined]
    if missing:
        results.append(
            {
                "message": f'Not all server\'s variables are described with "variables" object. Missed: {", ".join(missing)}.',
                "path": [*path, "variables"],
            }
        )
    if variables is None:
        return results
    pairs: list[tuple[str, list[str]]] = []
    for name in defined:
        if name not in found:
            continue
        variable = variables[name]
        if "enum" in variable:
            pairs.append((name, variable["enum"]))
            if "default" in variable and variable["default"] not in variable["enum"]:
                results.append(
                    {
                        "message": f'Server Variable "{name}" has a default not listed in the enum.',
                        "path": [*path, "variables", name, "default"],
                    }
                )
        elif "default" in variable:
            pairs.append((name, [variable["default"]]))
        else:
            pairs.append((name, []))
        if "default" not in variable and (options or {}).get("requireDefault") is True:
            results.append(
                {"message": f'Server Variable "{name}" has a missing default.', "path": [*path, "variables", name]}
            )
    if (options or {}).get("checkSubstitutions") is True and pairs:
        invalid: list[str] = []
        for candidate in _substitutions(url, pairs):
            if not _valid_url(candidate):
                invalid.append(candidate)
                if len(invalid) == 5:
                    break
        if len(invalid) == 5:
            message = (
                f"At least 5 substitutions of server variables resulted in invalid URLs: {', '.join(invalid)} and more"
            )
            results.append({"message": message, "path": [*path, "variables"]})
        elif invalid:
            message = f"A few substitutions of server variables resulted in invalid URLs: {', '.join(invalid)}"
            results.append({"message": message, "path": [*path, "variables"]})
    return results


def _substitutions(url: str, pairs: list[tuple[str, list[str]]], i: int = 0) -> Any:
    name, values = pairs[i]
    for value in values:
        substituted = url.replace("{" + name + "}", quote(value, safe=";,/?:@&=+$-_.!~*'()#"))
        if i == len(pairs) - 1:
            yield substituted
        else:
            yield from _substitutions(substituted, pairs, i + 1)


def _valid_url(url: str) -> bool:
    """WHATWG ``new URL(url)`` without a base: needs a scheme, and a host for special schemes."""
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() in ("http", "https", "ftp", "ws", "wss"):
        host = parts.netloc.rsplit("@", 1)[-1]
        if not host or host.startswith(":") or re.search(r"[\s<>^|%]", host.split(":")[0]):
            return False
        port = host.rpartition(":")[2] if ":" in host and not host.endswith("]") else ""
        if port and (not port.isdigit() or int(port) > 65535):
            return False
    return " " not in url.strip()


OAS_FUNCTIONS: dict[str, RulesetFunction] = {
    "oasOpSuccessResponse": RulesetFunction("oasOpSuccessResponse", op_success_response, _obj),
    "oasOpFormDataConsumeCheck": RulesetFunction(
        "oasOpFormDataConsumeCheck",
        op_form_data_consume_check,
        lambda v: _obj(v) and isinstance(v.get("consumes"), list) and isinstance(v.get("parameters"), list),
    ),
    "oasOpIdUnique": RulesetFunction("oasOpIdUnique", op_id_unique, _obj),
    "oasOpParams": RulesetFunction("oasOpParams", op_params, lambda v: isinstance(v, list)),
    "oasTagDefined": RulesetFunction("oasTagDefined", tag_defined, _obj),
    "oasPathParam": RulesetFunction("oasPathParam", path_param, _obj),
    "uniquenessTags": RulesetFunction("uniquenessTags", uniqueness_tags, _uniqueness_tags_accepts),
    "refSiblings": RulesetFunction("refSiblings", ref_siblings),
    "oasSecurityDefined": RulesetFunction("oasSecurityDefined", security_defined, _security_accepts),
    "oasDiscriminator": RulesetFunction(
        "oasDiscriminator", discriminator, lambda v: _obj(v) and isinstance(v.get("discriminator"), str)
    ),
    "oasExample": RulesetFunction("oasExample", example, _obj),
    "oasDocumentSchema": RulesetFunction("oasDocumentSchema", document_schema),
    "oasUnusedComponent": RulesetFunction(
        "oasUnusedComponent", unused_component, lambda v: _obj(v) and _obj(v.get("components"))
    ),
    "serverVariables": RulesetFunction("serverVariables", server_variables, _server_accepts),
    "oasSchema": RulesetFunction("oasSchema", oas_schema),
}
