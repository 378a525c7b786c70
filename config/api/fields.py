"""Serializer fields for the API's input that take the JSON type the document names, and only it.

DRF's CharField also takes 12 or 1.5 (and stores "12"), its BooleanField takes 1 and 0: a body
that breaks the document would then be accepted. Form bodies (the browsable API) carry only
strings, so a string is still read as DRF reads it.
"""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool | str):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)
