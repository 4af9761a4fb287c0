import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilter(django_filters.FilterSet):
    """The console audit page's filters; a bad value is a field error on the form, never a 500."""

    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label=_("Account"),
                                      max_length=254)
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"), empty_label=_("All actions"))
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"),
                                      widget=DateInput)
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("Until"),
                                      widget=DateInput)

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "since", "until"]
