from django.contrib import admin

from .models import ServiceRecord


@admin.register(ServiceRecord)
class ServiceRecordAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "channel", "persons", "organisation", "facility"]
    list_filter = ["kind", "channel"]
    date_hierarchy = "date"
    raw_id_fields = ["organisation", "facility"]
