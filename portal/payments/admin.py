from django.contrib import admin

from .models import Payment, Refund, WebhookEvent


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    readonly_fields = ["stripe_refund_id", "amount_fen", "reason", "actor", "created_at"]
    fields = readonly_fields


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: payments change only through Stripe's verified answers."""

    list_display = ["id", "member", "member_share_fen", "subsidy_fen", "currency", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["stripe_payment_intent_id", "stripe_charge_id"]
    inlines = [RefundInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "outcome", "received_at", "processed_at"]
    list_filter = ["type", "outcome"]
    search_fields = ["event_id"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
