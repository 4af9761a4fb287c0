from django.contrib import admin

from .models import Facility


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "region_code", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "address"]
    raw_id_fields = ["organisation"]
