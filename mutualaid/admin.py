"""Django admin for superusers: mutual aid is inspected here and changed in the console or the API.

Cover, claims and their money move only inside mutualaid.services (caps, timeline, notifications), so every
model is read-only here. A claim's full payout account number is not shown, only its last four digits.
"""

from django.contrib import admin

from .models import Claim, Enrolment, Scheme


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "kind", "status", "term_start", "term_end", "contribution_fen",
                    "union_funded"]
    list_filter = ["kind", "status", "union_funded"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "scheme", "member", "insured_dependant", "shares", "status", "cover_starts_on", "source"]
    list_filter = ["status", "source"]
    search_fields = ["member__real_name", "member__member_number", "scheme__title"]
    list_select_related = ["scheme", "member", "insured_dependant"]
    exclude = ["certificate_code"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["pk", "enrolment", "event_type", "event_on", "status", "suggested_payout_fen",
                    "approved_amount_fen"]
    list_filter = ["status", "event_type"]
    list_select_related = ["enrolment__scheme", "enrolment__member", "enrolment__insured_dependant"]
    exclude = ["bank_account"]
