"""Stage 2 of the engine: the structural diff that checks read (see walk.SpecDiff)."""

from .operations import (
    ContentDiff,
    HeaderDiff,
    MediaTypeDiff,
    ParamDiff,
    ParametersDiff,
    ParamRef,
    RequestBodyDiff,
    ResponseDiff,
    ResponsesDiff,
)
from .schema import SchemaDiff, SchemaDiffer, Subschema, SubschemaListDiff
from .walk import HTTP_METHODS, OperationDiff, OperationRef, PathItemRef, PathPair, SpecDiff

__all__ = [
    "ContentDiff",
    "HeaderDiff",
    "MediaTypeDiff",
    "ParamDiff",
    "ParamRef",
    "ParametersDiff",
    "RequestBodyDiff",
    "ResponseDiff",
    "ResponsesDiff",
    "SchemaDiff",
    "SchemaDiffer",
    "Subschema",
    "SubschemaListDiff",
    "HTTP_METHODS",
    "OperationDiff",
    "OperationRef",
    "PathItemRef",
    "PathPair",
    "SpecDiff",
]
