"""Query parameters of the mutual-aid lists (member API, staff API, pages)."""

from __future__ import annotations

import django_filters

from portal.filters import BooleanFilter, IntegerFilter, search_filter

from .models import Claim, ClaimStatus, Enrolment, EnrolmentSource, EnrolmentStatus, Scheme, SchemeKind, SchemeStatus
from .models.schemes import MAX_SHARES_LIMIT


class SchemeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SchemeKind.choices)
    shares = IntegerFilter(min_value=1, max_value=MAX_SHARES_LIMIT,
                           help_text="price and eligibility for this many shares (default 1)")

    class Meta:
        model = Scheme
        fields: list[str] = []


class EnrolmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices)

    class Meta:
        model = Enrolment
        fields: list[str] = []


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)

    class Meta:
        model = Claim
        fields: list[str] = []


class StaffSchemeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SchemeStatus.choices)
    kind = django_filters.ChoiceFilter(choices=SchemeKind.choices)

    class Meta:
        model = Scheme
        fields: list[str] = []


class StaffEnrolmentFilter(django_filters.FilterSet):
    scheme = IntegerFilter(min_value=1, max_value=2**31 - 1, help_text="a scheme id")
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices)
    source = django_filters.ChoiceFilter(choices=EnrolmentSource.choices)
    organisation = IntegerFilter(min_value=1, max_value=2**31 - 1,
                                 help_text="members of this union and the unions under it")
    q = search_filter(help_text="the member's or insured person's name, or the member number")

    class Meta:
        model = Enrolment
        fields: list[str] = []


class StaffClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    scheme = IntegerFilter(min_value=1, max_value=2**31 - 1, help_text="a scheme id")
    open = BooleanFilter(help_text="only claims awaiting a decision (default when no status)")

    class Meta:
        model = Claim
        fields: list[str] = []
