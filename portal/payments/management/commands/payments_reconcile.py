from django.core.management.base import BaseCommand

from portal.payments import services


class Command(BaseCommand):
    help = "Ask Stripe about open payments (webhooks that never arrived) and apply what it says, as a webhook would."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=None, metavar="MINUTES",
                            help="only payments unchanged for this long (default: PAYMENT_RECONCILE_AFTER_MINUTES)")

    def handle(self, *args, older_than=None, **options):
        outcomes = services.payments_reconcile(older_than_minutes=older_than)
        expired = services.holds_expire_due()
        refunded = services.refunds_due()
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "nothing open"
        self.stdout.write(f"Reconciled ({summary}); holds ended: {expired}; refunds made: {refunded}.")
