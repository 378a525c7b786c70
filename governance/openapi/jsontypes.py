"""Type aliases for the parsed documents: what ``load.parse_text`` returns and the diff walks.

Annotations only (nothing here runs per node). A spec is plain data: mappings, lists and scalars,
nothing else (dates stay strings: ``parse_datetime=False``). JSON object keys are strings; a YAML
mapping may also have int or bool keys (``200:`` status codes), which the engine reaches through
``str(key)`` or the int fallback of ``load._child``. The values below a mapping are ``Any``: a spec
can hold junk anywhere, so code narrows them (``isinstance``) where it reads them.
"""

from __future__ import annotations

from typing import Any, TypeAlias

JSONObject: TypeAlias = dict[str, Any]
JSONArray: TypeAlias = list[Any]
# Any parsed value: a document, a schema (an object, or a bool in 3.1), a keyword's value.
JSON: TypeAlias = JSONObject | JSONArray | str | int | float | bool | None
