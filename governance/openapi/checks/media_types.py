"""Media types: a schema added to / removed from an unchanged media type, and response
media type names changed to an equivalent one (json -> json; charset=..., -> problem+json).

oasdiff: check_media_type_schema_existence.go, check_response_media_type_name_updated.go
(the pairing of equivalent names is diff/content_diff.go, in diff/operations.py here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diff.operations import media_type_name_contained, parse_media_type
from .registry import operation_check

if TYPE_CHECKING:
    from ..diff import OperationDiff


@operation_check("MediaTypeSchemaExistenceCheck")
def media_type_schema_existence(op: OperationDiff) -> None:
    body = op.request_body
    if body is not None:
        for name, media in body.content.modified.items():
            if media.schema_added:
                op.emit(
                    "request-body-media-type-schema-added",
                    name,
                    base_pointer=None,
                    revision_pointer=media.revision_pointer,
                )
            elif media.schema_removed:
                op.emit(
                    "request-body-media-type-schema-removed",
                    name,
                    base_pointer=media.base_pointer,
                    revision_pointer=None,
                )
    for status, response in op.responses.modified.items():
        for name, media in response.content.modified.items():
            if media.schema_added:
                op.emit(
                    "response-body-media-type-schema-added",
                    name,
                    status,
                    base_pointer=None,
                    revision_pointer=media.revision_pointer,
                )
            elif media.schema_removed:
                op.emit(
                    "response-body-media-type-schema-removed",
                    name,
                    status,
                    base_pointer=media.base_pointer,
                    revision_pointer=None,
                )


@operation_check("ResponseMediaTypeNameUpdatedCheck")
def response_media_type_name_updated(op: OperationDiff) -> None:
    for status, response in op.responses.modified.items():
        for name, media in response.content.modified.items():
            if media.base_name is None:
                continue
            before, after = parse_media_type(media.base_name), parse_media_type(name)
            if before is not None and after is not None and before[3] != after[3]:
                rule = "response-media-type-name-changed"  # parameters changed
            elif media_type_name_contained(media.base_name, name):
                rule = "response-media-type-name-specialized"
            else:
                rule = "response-media-type-name-generalized"
            op.emit(
                rule,
                media.base_name,
                name,
                status,
                base_pointer=media.base_pointer,
                revision_pointer=media.revision_pointer,
            )
