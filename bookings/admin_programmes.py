"""Django admin for programmes: read-only (quota counters and application steps move only in the services)."""

from django.contrib import admin

from .admin import ReadOnlyAdmin
from .models import Application, ApplicationStep, Batch, Programme, QuotaAllocation


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "year", "status", "skilled_share_percent"]
    list_filter = ["status", "year"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["programme", "sanatorium", "start_date", "end_date", "places", "participants", "status"]
    list_filter = ["status"]
    date_hierarchy = "start_date"
    list_select_related = ["programme", "sanatorium"]


@admin.register(QuotaAllocation)
class QuotaAllocationAdmin(ReadOnlyAdmin):
    list_display = ["batch", "organisation", "places", "allocated_to_children", "used", "skilled_reserved",
                    "handed_back"]
    list_select_related = ["batch__programme", "organisation"]


class StepInline(admin.TabularInline):
    model = ApplicationStep
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "member", "batch", "status", "never_been", "nominated", "created_at"]
    list_filter = ["status", "nominated", "never_been"]
    search_fields = ["member__real_name", "member__member_number"]
    list_select_related = ["member", "batch__programme"]
    inlines = [StepInline]
