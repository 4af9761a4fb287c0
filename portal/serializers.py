"""Base serializers for request bodies: JSON values must have the type the schema promises.

DRF coerces by default (`"12"` for an integer, `0` for a name, `"yes"` for a boolean), so the API accepted
bodies its own OpenAPI schema calls invalid. Every API serializer derives from these two classes, which
refuse a value of the wrong JSON type with a field error, and whose model fields take dates through the
portal's bounded fields (portal.inputs).
"""

from __future__ import annotations

from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty

from portal.inputs import BoundedDateField, BoundedDateTimeField

# DRF's own field classes already refuse wrong types for dates, lists, dicts and choices; these four convert.
_JSON_TYPES = (
    # (field class, the Python types a JSON body may give it, which of the field's own messages to use)
    (serializers.BooleanField, (bool,), "invalid"),
    (serializers.IntegerField, (int,), "invalid"),
    (serializers.FloatField, (int, float), "invalid"),
    (serializers.CharField, (str,), "invalid"),
    (serializers.PrimaryKeyRelatedField, (int,), "incorrect_type"),
)


def json_type_error(field: serializers.Field, value) -> str | None:
    """The message for a value of the wrong JSON type for `field`, or None when the type is right."""
    if value is None:
        return None  # allow_null / required is the field's own business
    for field_class, types, key in _JSON_TYPES:
        if isinstance(field, field_class):
            if isinstance(value, types) and not (bool not in types and isinstance(value, bool)):
                return None
            return str(field.error_messages[key]).format(data_type=type(value).__name__)
    return None


class StrictTypesMixin:
    """Checks the JSON type of each incoming value before DRF's lenient conversion. Multipart and form bodies
    (uploads) carry only strings, so only JSON bodies (plain dicts from the JSON parser) are checked."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and not hasattr(data, "getlist"):
            errors = {}
            for field in self._writable_fields:
                value = data.get(field.field_name, empty)
                if value is empty:
                    continue
                if isinstance(field, serializers.ListField) and isinstance(value, list) and field.child:
                    bad = next((m for m in (json_type_error(field.child, v) for v in value) if m), None)
                else:
                    bad = json_type_error(field, value)
                if bad:
                    errors[field.field_name] = [bad]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class Serializer(StrictTypesMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictTypesMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
        models.DateTimeField: BoundedDateTimeField,
    }
