"""Request bodies and responses: added/removed bodies, media types, status codes, headers.

oasdiff: check_added_required_request_body.go, check_request_body_removed.go,
check_request_body_required_value_updated.go, check_request_body_mediatype_updated.go,
check_response_mediatype_updated.go, check_response_status_updated.go,
check_response_header_removed.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pointers import join_pointer
from .registry import operation_check

if TYPE_CHECKING:
    from ..diff import OperationDiff


@operation_check("AddedRequestBodyCheck")
def request_body_added(op: OperationDiff) -> None:
    body = op.request_body
    if body is not None and body.base is None and body.revision is not None:  # body.added
        rule = "request-body-added-required" if body.revision.get("required") else "request-body-added-optional"
        op.emit(rule, base_pointer=None, revision_pointer=body.revision_pointer)


@operation_check("RequestBodyRemovedCheck")
def request_body_removed(op: OperationDiff) -> None:
    body = op.request_body
    if body is not None and body.removed:
        op.emit("request-body-removed", base_pointer=body.base_pointer, revision_pointer=None)


@operation_check("RequestBodyRequiredUpdatedCheck")
def request_body_required_updated(op: OperationDiff) -> None:
    body = op.request_body
    if body is None or body.base is None or body.revision is None:
        return
    before, after = bool(body.base.get("required")), bool(body.revision.get("required"))
    if before != after:
        op.emit(
            "request-body-became-required" if after else "request-body-became-optional",
            base_pointer=body.base_pointer,
            revision_pointer=body.revision_pointer,
        )


@operation_check("RequestBodyMediaTypeChangedCheck")
def request_body_media_type_changed(op: OperationDiff) -> None:
    body = op.request_body
    if body is None or body.base_pointer is None or body.revision_pointer is None:
        return  # a pointer is None where its side has no body
    for name in body.content.added:
        op.emit(
            "request-body-media-type-added",
            name,
            base_pointer=None,
            revision_pointer=join_pointer(body.revision_pointer, "content", name),
        )
    for name in body.content.removed:
        op.emit(
            "request-body-media-type-removed",
            name,
            base_pointer=join_pointer(body.base_pointer, "content", name),
            revision_pointer=None,
        )


def _is_success(status: str) -> bool:
    return status.startswith("2") and (status.isdigit() or status.upper() == "2XX")


@operation_check("ResponseSuccessStatusUpdatedCheck", "ResponseNonSuccessStatusUpdatedCheck")
def response_status_updated(op: OperationDiff) -> None:
    responses = op.responses
    wanted = op.spec_diff.options.selected_checks
    for statuses, action, base_side in ((responses.removed, "removed", True), (responses.added, "added", False)):
        for status in statuses:
            success = _is_success(status)
            check = "ResponseSuccessStatusUpdatedCheck" if success else "ResponseNonSuccessStatusUpdatedCheck"
            if wanted is not None and check not in wanted:
                continue
            kind = "success" if success else "non-success"
            pointer = join_pointer(op.base_pointer if base_side else op.revision_pointer, "responses", status)
            op.emit(
                f"response-{kind}-status-{action}",
                status,
                base_pointer=pointer if base_side else None,
                revision_pointer=None if base_side else pointer,
            )


@operation_check("ResponseMediaTypeUpdatedCheck")
def response_media_type_updated(op: OperationDiff) -> None:
    for status, response in op.responses.modified.items():
        for name in response.content.removed:
            op.emit(
                "response-media-type-removed",
                name,
                status,
                base_pointer=join_pointer(response.base_pointer, "content", name),
                revision_pointer=None,
            )
        for name in response.content.added:
            op.emit(
                "response-media-type-added",
                name,
                status,
                base_pointer=None,
                revision_pointer=join_pointer(response.revision_pointer, "content", name),
            )


@operation_check("ResponseHeaderRemovedCheck")
def response_header_removed(op: OperationDiff) -> None:
    for status, response in op.responses.modified.items():
        headers = response.base.get("headers") or {}
        for name in response.headers_removed:
            header, _loc, _ = op.spec_diff.base.deref(
                headers[name], join_pointer(response.base_pointer, "headers", name)
            )
            required = isinstance(header, dict) and header.get("required")
            op.emit(
                "required-response-header-removed" if required else "optional-response-header-removed",
                name,
                status,
                base_pointer=join_pointer(response.base_pointer, "headers", name),
                revision_pointer=None,
            )
