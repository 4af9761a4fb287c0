"""Query strings are read through django-filter FilterSets, in the API and in HTML pages alike.

A FilterSet here is a parser and a description: it turns `request.GET` into typed, validated values (a bad
value is a 400 naming the parameter in the API, a form error on a page) and documents the parameters in the
OpenAPI schema. The reading itself, with its rules (scope, defaults, search), is the selector the view calls
with those values, so the API and the pages read the same way. Each app keeps its FilterSets in `filters.py`.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from portal.api import EMPTY_PARAMETER


class FilterSetBackend(DjangoFilterBackend):
    """Puts each list view's `filterset_class` in the schema; the view applies it through its selector."""

    def filter_queryset(self, request, queryset, view):
        return queryset


def query(filterset_class: type[django_filters.FilterSet], request) -> dict:
    """The cleaned query parameters of an API request, or a 400 naming each bad one. An API parameter given
    empty (`?start=`) is an error unless it is free text: the schema documents a value, not an absence."""
    params = request.query_params
    filterset = filterset_class(params, queryset=filterset_class._meta.model.objects.none(), request=request)
    errors = {} if filterset.is_valid() else {field: list(msgs) for field, msgs in filterset.errors.items()}
    for name, declared in filterset.filters.items():
        if type(declared) is not django_filters.CharFilter and name in params and "" in params.getlist(name):
            errors.setdefault(name, []).append(str(EMPTY_PARAMETER))
    if errors:
        raise ValidationError(errors)
    return filterset.form.cleaned_data


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (django-filter's NumberFilter takes decimals)."""

    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error, where Django's NullBooleanField would shrug."""

    TRUE, FALSE = {"true", "1"}, {"false", "0"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE | self.FALSE:
            return text in self.TRUE
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def search_filter(**kwargs) -> django_filters.CharFilter:
    """Free-text search words (`?q=`); NUL and other control bytes are refused by the form field."""
    return django_filters.CharFilter(max_length=100, **kwargs)
