from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is appended to by the application, never edited by hand."""

    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr", "organisation", "ip",
                    "status"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "object_id", "path"]
    date_hierarchy = "created_at"
    list_select_related = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
