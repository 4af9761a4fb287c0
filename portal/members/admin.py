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
    list_display = ["real_name", "member_number", "organisation", "verification_status", "id_number_last4"]
    list_filter = ["verification_status", "model_worker_level", "skilled_worker"]
    search_fields = ["real_name", "member_number", "user__email", "user__phone"]
    raw_id_fields = ["user", "organisation", "verified_by"]
    inlines = [DependantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]
