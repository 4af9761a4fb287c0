from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Dependant, Member, Organisation, RoleGrant, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "phone", "is_active", "is_superuser", "date_joined"]
    search_fields = ["email", "phone"]
    fieldsets = (
        (None, {"fields": ("email", "phone", "phone_verified", "password", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(TreeAdmin):
    form = movenodeform_factory(Organisation)
    list_display = ["name", "level", "region_code"]
    search_fields = ["name", "region_code"]


class DependantInline(admin.TabularInline):
    model = Dependant
    extra = 0


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["real_name", "member_number", "organisation", "verification_status", "id_number_last4",
                    "id_number_conflict"]
    # The birth date with the last four gives away 12 of the 18 ID characters: the age band is enough here too.
    exclude = ["birth_date"]
    readonly_fields = ["id_number_last4", "age_band", "id_number_conflict"]
    list_filter = ["verification_status", "model_worker_level", "skilled_worker"]
    search_fields = ["real_name", "member_number", "user__email", "user__phone"]
    raw_id_fields = ["user", "organisation", "verified_by"]
    inlines = [DependantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the admin may list but never open, add, change or delete."""

    list_display_links = None
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# allauth's own admins show an authenticator's `data` (the TOTP secret, the recovery-code seed) and a session's
# key (enough to become that user): list only who, what and when.
admin.site.unregister(Authenticator)
admin.site.unregister(UserSession)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = list_display

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").defer("data")


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    search_fields = ["user__email", "ip"]
    fields = list_display

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").defer("session_key", "data")
