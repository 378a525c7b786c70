"""django-filter filters for every app's API that refuse a value they can't read (400
`validation-error`) instead of ignoring it, and never hand the database a value it can't hold.

django-filter's own BooleanFilter treats `?is_active=maybe` as no filter at all, its NumberFilter
takes `1e308` for an id, and its IsoDateTimeFilter passes PostgreSQL an offset like +22:43 that
Python accepts and PostgreSQL refuses with an error (a 500). The document states what each filter
takes; these make the answers agree with it.
"""

from datetime import UTC

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1  # PostgreSQL bigint


class _StrictBooleanField(forms.Field):
    VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError("Give true or false.", code="invalid") from None


class BooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`; anything else is refused."""

    field_class = _StrictBooleanField


class _UTCIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)  # PostgreSQL's offsets stop at ±15:59
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise forms.ValidationError("The date-time is out of range.", code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, read in UTC; one outside the representable range is refused."""

    field_class = _UTCIsoDateTimeField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number a bigint column holds."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
