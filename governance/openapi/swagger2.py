"""Read a Swagger / OpenAPI 2.0 document into the engine's 3.x model, in memory.

The diff only knows 3.x, so a 2.0 document is converted once when it is loaded (``Spec``):
body and formData parameters become a ``requestBody`` with the operation's ``consumes`` media types,
``produces`` become response media types, ``definitions`` / ``parameters`` / ``responses`` /
``securityDefinitions`` become components, ``host``/``basePath``/``schemes`` become ``servers``,
``x-nullable`` becomes ``nullable``, ``collectionFormat`` becomes ``style``/``explode`` and
``type: file`` a binary string. Local ``$ref``s are rewritten to the new places.

Findings must name places in the file the user wrote, so the conversion also returns
``PointerMap``: converted pointer prefix -> original pointer, applied to findings' pointers by
the engine (``/components/schemas/Pet/properties/id`` -> ``/definitions/Pet/properties/id``,
``/paths/~1pets/post/requestBody/content/application~1json/schema`` -> ``/paths/~1pets/post/parameters/0/schema``).
``$ref``s into other files are left as written (those files are read as they are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .pointers import join_pointer

if TYPE_CHECKING:
    from .jsontypes import JSON, JSONObject

OPENAPI_VERSION = "3.0.3"  # what a converted document claims: 2.0 schemas are 3.0 schemas (boolean exclusive bounds)
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_DEFAULT_MEDIA = "application/json"
_FORM_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
# keywords of a non-body 2.0 parameter / header / items that are its value's schema in 3.x
_SCHEMA_KEYWORDS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
)
_REF_PREFIXES = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/parameters/", "#/components/parameters/"),
    ("#/responses/", "#/components/responses/"),
)
_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}
# values that are data, not schemas: never rewritten
_DATA_KEYS = frozenset(("example", "examples", "default", "enum", "x-example"))


class PointerMap:
    """Converted pointer -> pointer in the original 2.0 document, by longest matching prefix."""

    def __init__(self) -> None:
        self._prefixes: dict[str, str] = {}

    def add(self, converted: str, original: str) -> None:
        self._prefixes[converted] = original

    def original(self, pointer: str) -> str:
        """The 2.0 pointer of a converted one (pointers in other files, ``x.yaml#/...``, are kept)."""
        if "#" in pointer:
            return pointer
        prefix = pointer
        while True:
            found = self._prefixes.get(prefix)
            if found is not None:
                return found + pointer[len(prefix) :]
            cut = prefix.rfind("/")
            if cut <= 0:
                return pointer
            prefix = prefix[:cut]


def convert(root: JSONObject) -> tuple[JSONObject, PointerMap]:
    """The 3.x form of a 2.0 document and the map back to the original pointers."""
    return _Converter(root).run()


def _rewrite_ref(ref: JSON) -> JSON:
    if isinstance(ref, str):
        for old, new in _REF_PREFIXES:
            if ref.startswith(old):
                return new + ref[len(old) :]
    return ref


def convert_schema(node: JSON) -> JSON:
    """A 2.0 schema in its 3.0 form: ``$ref``s rewritten, ``x-nullable`` -> ``nullable``, ``type: file``
    -> binary string, a string ``discriminator`` -> ``{propertyName}``. Structure (so pointers) is kept."""
    if isinstance(node, list):
        return [convert_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: JSONObject = {}
    for key, value in node.items():
        if key == "$ref":
            result[key] = _rewrite_ref(value)
        elif key == "x-nullable":
            result["nullable"] = value
        elif key == "discriminator" and isinstance(value, str):
            result[key] = {"propertyName": value}
        elif key == "type" and value == "file":
            result[key] = "string"
            result.setdefault("format", "binary")
        elif key in _DATA_KEYS or key.startswith("x-"):
            result[key] = value
        elif key == "properties" and isinstance(value, dict):
            result[key] = {name: convert_schema(prop) for name, prop in value.items()}
        else:
            result[key] = convert_schema(value)
    return result


def _value_schema(holder: JSONObject) -> JSONObject:
    """The schema of a non-body parameter, header or ``items`` (their keywords sit on the object itself)."""
    schema: JSONObject = {}
    for key in _SCHEMA_KEYWORDS:
        if key in holder:
            value = holder[key]
            if key == "items" and isinstance(value, dict):
                value = _value_schema(value)
            schema[key] = value
    if schema.get("type") == "file":
        schema["type"] = "string"
        schema.setdefault("format", "binary")
    if "x-nullable" in holder:
        schema["nullable"] = holder["x-nullable"]
    return schema


def _style(param: JSONObject) -> JSONObject:
    """``collectionFormat`` of an array parameter as 3.x ``style``/``explode`` (csv is 2.0's default)."""
    if param.get("type") != "array":
        return {}
    fmt = param.get("collectionFormat", "csv")
    where = param.get("in")
    if fmt == "multi":
        return {"style": "form", "explode": True}
    if fmt == "ssv":
        return {"style": "spaceDelimited", "explode": False}
    if fmt == "pipes":
        return {"style": "pipeDelimited", "explode": False}
    if fmt == "tsv":  # no 3.x style: keep it readable (and compared) as an extension
        return {"style": "form", "explode": False, "x-collectionFormat": "tsv"}
    return {"style": "form" if where in ("query", "formData") else "simple", "explode": False}


def _media_types(value: JSON, default: list[str]) -> list[str]:
    if isinstance(value, list):
        names = [v for v in value if isinstance(v, str)]
        return names or default
    return default


class _Converter:
    def __init__(self, root: JSONObject):
        self.src = root
        self.map = PointerMap()
        self.consumes = _media_types(root.get("consumes"), [_DEFAULT_MEDIA])
        self.produces = _media_types(root.get("produces"), [_DEFAULT_MEDIA])
        params = root.get("parameters")
        self.shared_params: JSONObject = params if isinstance(params, dict) else {}

    def run(self) -> tuple[JSONObject, PointerMap]:
        src = self.src
        out: JSONObject = {"openapi": OPENAPI_VERSION}
        for key, value in src.items():
            if key in ("info", "tags", "externalDocs", "security") or key.startswith("x-"):
                out[key] = value
        servers = self._servers()
        if servers:
            out["servers"] = servers
        out["paths"] = self._paths()
        components = self._components()
        if components:
            out["components"] = components
        return out, self.map

    # --- document ------------------------------------------------------------------------
    def _servers(self) -> list[JSON]:
        host, base_path = self.src.get("host"), self.src.get("basePath")
        if host is None and base_path is None:
            return []
        path = base_path if isinstance(base_path, str) else ""
        if not isinstance(host, str):
            self.map.add("/servers", "/basePath")
            return [{"url": path or "/"}]
        schemes = _media_types(self.src.get("schemes"), ["https"])
        self.map.add("/servers", "/host")
        for index, _ in enumerate(schemes):
            self.map.add(f"/servers/{index}", "/host")
        return [{"url": f"{scheme}://{host}{path}"} for scheme in schemes]

    def _components(self) -> JSONObject:
        components: JSONObject = {}
        definitions = self.src.get("definitions")
        if isinstance(definitions, dict):
            components["schemas"] = {name: convert_schema(schema) for name, schema in definitions.items()}
            self.map.add("/components/schemas", "/definitions")
        parameters: JSONObject = {}
        for name, param in self.shared_params.items():
            # body and formData parameters are folded into each operation that refers to them
            if isinstance(param, dict) and param.get("in") not in ("body", "formData"):
                converted = join_pointer("/components/parameters", name)
                parameters[name] = self._parameter(param, converted, join_pointer("/parameters", name))
        if parameters:
            components["parameters"] = parameters
        responses = self.src.get("responses")
        if isinstance(responses, dict):
            components["responses"] = {
                name: self._response(
                    response,
                    self.produces,
                    join_pointer("/components/responses", name),
                    join_pointer("/responses", name),
                )
                for name, response in responses.items()
            }
        schemes = self.src.get("securityDefinitions")
        if isinstance(schemes, dict):
            components["securitySchemes"] = {
                name: self._security_scheme(scheme, name) for name, scheme in schemes.items()
            }
            self.map.add("/components/securitySchemes", "/securityDefinitions")
        return components

    def _security_scheme(self, scheme: JSON, name: str) -> JSON:
        if not isinstance(scheme, dict):
            return scheme
        kind = scheme.get("type")
        extras: JSONObject = {k: v for k, v in scheme.items() if k == "description" or k.startswith("x-")}
        original = join_pointer("/securityDefinitions", name)
        if kind == "basic":
            # 3.x spells it in two keywords where 2.0 has one
            self.map.add(join_pointer("/components/securitySchemes", name, "scheme"), join_pointer(original, "type"))
            return {"type": "http", "scheme": "basic", **extras}
        if kind == "apiKey":
            return {"type": "apiKey", "name": scheme.get("name"), "in": scheme.get("in"), **extras}
        if kind == "oauth2":
            flow_name = _FLOWS.get(str(scheme.get("flow")), str(scheme.get("flow")))
            flow: JSONObject = {}
            for key in ("authorizationUrl", "tokenUrl"):
                if key in scheme:
                    flow[key] = scheme[key]
            flow["scopes"] = scheme.get("scopes") if isinstance(scheme.get("scopes"), dict) else {}
            self.map.add(join_pointer("/components/securitySchemes", name, "flows", flow_name), original)
            self.map.add(join_pointer("/components/securitySchemes", name, "flows"), join_pointer(original, "flow"))
            return {"type": "oauth2", "flows": {flow_name: flow}, **extras}
        return dict(scheme)

    # --- paths ---------------------------------------------------------------------------
    def _paths(self) -> JSONObject:
        paths = self.src.get("paths")
        out: JSONObject = {}
        if not isinstance(paths, dict):
            return out
        for path, item in paths.items():
            if not isinstance(item, dict):
                out[path] = item
                continue
            base = join_pointer("/paths", path)
            shared = item.get("parameters")
            shared_list = shared if isinstance(shared, list) else []
            converted: JSONObject = {}
            for key, value in item.items():
                if key in _METHODS and isinstance(value, dict):
                    converted[key] = self._operation(value, shared_list, join_pointer(base, key), base)
                elif key == "parameters":
                    kept = self._parameters(shared_list, join_pointer(base, "parameters"))[0]
                    if kept:
                        converted[key] = kept
                elif key not in _METHODS:  # summary, description, servers, $ref, x-...
                    converted[key] = value
            out[path] = converted
        return out

    def _parameters(self, params: list[JSON], location: str) -> tuple[list[JSON], list[tuple[JSONObject, str]]]:
        """(the 3.x parameters, with their pointers mapped; the body/formData ones with their original pointers)."""
        kept: list[JSON] = []
        payload: list[tuple[JSONObject, str]] = []
        for index, node in enumerate(params):
            original = join_pointer(location, index)
            param = node
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                ref = node["$ref"]
                target = (
                    self.shared_params.get(ref[len("#/parameters/") :]) if ref.startswith("#/parameters/") else None
                )
                if isinstance(target, dict) and target.get("in") in ("body", "formData"):
                    payload.append((target, join_pointer("/parameters", ref[len("#/parameters/") :])))
                    continue
                self.map.add(join_pointer(location, len(kept)), original)
                kept.append({"$ref": _rewrite_ref(ref)})
                continue
            if not isinstance(param, dict):
                continue
            if param.get("in") in ("body", "formData"):
                payload.append((param, original))
                continue
            kept.append(self._parameter(param, join_pointer(location, len(kept)), original))
        return kept, payload

    def _parameter(self, param: JSONObject, converted: str, original: str) -> JSONObject:
        out: JSONObject = {}
        for key in ("name", "in", "description", "required", "allowEmptyValue", "deprecated"):
            if key in param:
                out[key] = param[key]
        out.update(k_v for k_v in param.items() if k_v[0].startswith("x-") and k_v[0] != "x-nullable")
        out.update(_style(param))
        out["schema"] = _value_schema(param)
        self.map.add(converted, original)
        self._map_style(param, converted, original)
        # the schema keywords sit on the 2.0 parameter itself
        self.map.add(join_pointer(converted, "schema"), original)
        return out

    def _map_style(self, param: JSONObject, converted: str, original: str) -> None:
        """``style``/``explode`` are the 2.0 ``collectionFormat`` (or its default, on the parameter)."""
        source = join_pointer(original, "collectionFormat") if "collectionFormat" in param else original
        for key in ("style", "explode", "x-collectionFormat"):
            self.map.add(join_pointer(converted, key), source)

    def _operation(self, op: JSONObject, shared: list[JSON], location: str, path_location: str) -> JSONObject:
        out: JSONObject = {}
        for key, value in op.items():
            if key not in ("parameters", "consumes", "produces", "responses", "schemes"):
                out[key] = value
        consumes = _media_types(op.get("consumes"), self.consumes)
        produces = _media_types(op.get("produces"), self.produces)
        own = op.get("parameters")
        params, payload = self._parameters(own if isinstance(own, list) else [], join_pointer(location, "parameters"))
        if params:
            out["parameters"] = params
        # body / formData parameters declared on the path item apply unless the operation redeclares them
        own_names = {(p.get("in"), p.get("name")) for p, _ in payload}
        _, shared_payload = self._parameters(shared, join_pointer(path_location, "parameters"))
        payload.extend(p for p in shared_payload if (p[0].get("in"), p[0].get("name")) not in own_names)
        body = self._request_body(payload, consumes, join_pointer(location, "requestBody"), location)
        if body is not None:
            out["requestBody"] = body
        responses = op.get("responses")
        if isinstance(responses, dict):
            out["responses"] = {
                status: self._response(
                    response,
                    produces,
                    join_pointer(location, "responses", status),
                    join_pointer(location, "responses", status),
                )
                for status, response in responses.items()
            }
        elif responses is not None:
            out["responses"] = responses
        return out

    def _request_body(
        self, payload: list[tuple[JSONObject, str]], consumes: list[str], location: str, op_location: str
    ) -> JSONObject | None:
        body = next(((p, loc) for p, loc in payload if p.get("in") == "body"), None)
        if body is not None:
            param, original = body
            out: JSONObject = {}
            for key in ("description", "required"):
                if key in param:
                    out[key] = param[key]
            schema = convert_schema(param.get("schema", {}))
            out["content"] = {name: {"schema": schema} for name in consumes}
            self.map.add(location, original)
            for name in consumes:
                self.map.add(join_pointer(location, "content", name), original)
            return out
        form = [(p, loc) for p, loc in payload if p.get("in") == "formData"]
        if not form:
            return None
        has_file = any(p.get("type") == "file" for p, _ in form)
        names = [n for n in consumes if n in (_FORM_URLENCODED, _MULTIPART)]
        if not names:
            names = [_MULTIPART if has_file else _FORM_URLENCODED]
        properties: JSONObject = {}
        required: list[JSON] = []
        encoding: JSONObject = {}
        for param, _ in form:
            name = str(param.get("name", ""))
            prop = _value_schema(param)
            if "description" in param:
                prop["description"] = param["description"]
            properties[name] = prop
            style = _style(param)
            if style:
                encoding[name] = {k: v for k, v in style.items() if k in ("style", "explode")}
            if param.get("required") is True:
                required.append(name)
        form_schema: JSONObject = {"type": "object", "properties": properties}
        if required:
            form_schema["required"] = required
        form_body: JSONObject = {"required": True} if required else {}
        content: JSONObject = {}
        params_location = join_pointer(op_location, "parameters")
        self.map.add(location, params_location)
        for media in names:
            media_loc = join_pointer(location, "content", media)
            content[media] = {"schema": form_schema, **({"encoding": encoding} if encoding else {})}
            self.map.add(media_loc, params_location)
            schema_loc = join_pointer(media_loc, "schema")
            self.map.add(schema_loc, params_location)
            self.map.add(join_pointer(schema_loc, "required"), params_location)
            for param, original in form:
                name = str(param.get("name", ""))
                self.map.add(join_pointer(schema_loc, "properties", name), original)
                self.map.add(join_pointer(media_loc, "encoding", name), original)
                self._map_style(param, join_pointer(media_loc, "encoding", name), original)
                if name in required:
                    self.map.add(
                        join_pointer(schema_loc, "required", required.index(name)), join_pointer(original, "required")
                    )
        form_body["content"] = content
        return form_body

    def _response(self, response: JSON, produces: list[str], converted: str, original: str) -> JSON:
        if not isinstance(response, dict):
            return response
        if "$ref" in response:
            return {"$ref": _rewrite_ref(response["$ref"])}
        out: JSONObject = {k: v for k, v in response.items() if k == "description" or k.startswith("x-")}
        out.setdefault("description", "")
        self.map.add(converted, original)
        headers = response.get("headers")
        if isinstance(headers, dict):
            converted_headers: JSONObject = {}
            for name, header in headers.items():
                if not isinstance(header, dict):
                    continue
                h: JSONObject = {k: v for k, v in header.items() if k == "description" or k.startswith("x-")}
                h.update({k: v for k, v in _style({**header, "in": "header"}).items() if k in ("style", "explode")})
                h["schema"] = _value_schema(header)
                converted_headers[name] = h
                header_loc = join_pointer(converted, "headers", name)
                self.map.add(join_pointer(header_loc, "schema"), join_pointer(original, "headers", name))
                self._map_style(header, header_loc, join_pointer(original, "headers", name))
            out["headers"] = converted_headers
        schema = response.get("schema")
        examples = response.get("examples")
        if schema is not None:
            converted_schema = convert_schema(schema)
            content: JSONObject = {}
            for name in produces:
                media: JSONObject = {"schema": converted_schema}
                if isinstance(examples, dict) and name in examples:
                    media["example"] = examples[name]
                content[name] = media
                self.map.add(join_pointer(converted, "content", name), original)
            out["content"] = content
        return out
