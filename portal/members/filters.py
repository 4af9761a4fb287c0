"""Query parameters of the organisation and member lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filters import search_filter

from .models import Member, Organisation, VerificationStatus


class GrassrootsFilter(django_filters.FilterSet):
    search = search_filter(help_text="part of the union's name")

    class Meta:
        model = Organisation
        fields: list[str] = []


class StaffMemberFilter(django_filters.FilterSet):
    org = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), field_name="organisation",
                                           label=_("Union"),
                                           help_text="organisation id (must be inside your subtrees, 403 otherwise)")
    status = django_filters.ChoiceFilter(choices=VerificationStatus.choices)

    class Meta:
        model = Member
        fields: list[str] = []
