import os

from django.core.management.base import BaseCommand

from portal.members.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

LOGINS = [
    ("member@example.com", "13800000001", "verified member, provincial model worker, two dependants"),
    ("skilled@example.com", "13800000002", "verified member, skilled worker"),
    ("newcomer@example.com", "13800000003", "signed up, not yet verified"),
    ("palace@example.com", "", "facility manager, 杭州市总工会 (TOTP)"),
    ("officer@example.com", "", "union officer (approvals), 杭州市总工会 (TOTP)"),
    ("mutualaid@example.com", "", "mutual-aid officer, 杭州市总工会 (TOTP)"),
    ("stats@example.com", "", "statistician, 浙江省总工会 (TOTP)"),
    ("sanatorium@example.com", "", "facility manager of the two demo sanatoriums (TOTP)"),
    ("admin@example.com", "", "superuser, /admin/ (TOTP)"),
]


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, phone, who in LOGINS:
            self.stdout.write(f"  {email:<24} {phone:<12} {who}")
        self.stdout.write(f"Staff TOTP secret (demo only): {DEMO_TOTP_SECRET}; add it to an authenticator app, "
                          "or print the current code with: .venv/bin/python manage.py demo_totp")
        port = os.environ.get("STRIPE_PORT", "8420")
        self.stdout.write(f"Payments: localstripe on 127.0.0.1:{port} — TEST MODE, no real money.\n")
