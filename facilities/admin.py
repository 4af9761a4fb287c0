from django.contrib import admin

from .models import AssetRecord, Facility, FacilityPhoto, Venue


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0


class PhotoInline(admin.TabularInline):
    """Photos are added in the console, where portal.uploads re-encodes them; the admin may only caption,
    reorder or delete them (a file field here would store whatever it is given)."""

    model = FacilityPhoto
    extra = 0
    fields = ["image", "caption", "position"]
    readonly_fields = ["image"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "region_code", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "address"]
    raw_id_fields = ["organisation"]
    inlines = [VenueInline, PhotoInline]


@admin.register(AssetRecord)
class AssetRecordAdmin(admin.ModelAdmin):
    list_display = ["facility", "year", "book_value_fen", "title_status", "operating_mode"]
    list_filter = ["year", "title_status", "operating_mode"]
    raw_id_fields = ["facility"]
