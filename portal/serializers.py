"""Base serializers for request bodies: JSON values must have the type the schema promises.

DRF coerces by default (`"12"` for an integer, `0` for a name, `"yes"` for a boolean), so the API accepted
bodies its own OpenAPI schema calls invalid. Every API serializer derives from these two classes, which
refuse a value of the wrong JSON type with a field error, and whose model fields take dates through the
portal's bounded fields (portal.inputs).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from portal.inputs import BoundedDateField, BoundedDateTimeField

WRONG_TYPE = _("Expected %(expected)s.")

_JSON_TYPES = (
    # (field class, accepted Python types from a JSON body, what to call them)
    (serializers.BooleanField, (bool,), _("true or false")),
    (serializers.IntegerField, (int,), _("a whole number")),
    (serializers.DecimalField, (int, float, str), _("a number")),
    (serializers.FloatField, (int, float), _("a number")),
    (serializers.MultipleChoiceField, (list,), _("a list")),
    (serializers.ChoiceField, (str,), _("text")),
    (serializers.CharField, (str,), _("text")),
    (serializers.DateField, (str,), _("a date (YYYY-MM-DD)")),
    (serializers.DateTimeField, (str,), _("a date-time (ISO 8601)")),
    (serializers.PrimaryKeyRelatedField, (int,), _("an id (a whole number)")),
    (serializers.ListField, (list,), _("a list")),
    (serializers.ManyRelatedField, (list,), _("a list")),
    (serializers.DictField, (dict,), _("an object")),
)


def json_type_error(field: serializers.Field, value) -> str | None:
    """The message for a value of the wrong JSON type for `field`, or None when the type is right."""
    if value is None:
        return None  # allow_null / required is the field's own business
    for field_class, types, name in _JSON_TYPES:
        if isinstance(field, field_class):
            ok = isinstance(value, types) and not (bool not in types and isinstance(value, bool))
            return None if ok else str(WRONG_TYPE % {"expected": name})
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
