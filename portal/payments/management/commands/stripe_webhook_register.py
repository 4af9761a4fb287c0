"""`make run`: have localstripe deliver its signed events to this server (dev only; Stripe itself is set up
in its dashboard, see docs/operations.md)."""

import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.payments import gateway
from portal.payments.services.events import HANDLED


class Command(BaseCommand):
    help = "Register this server's /webhooks/stripe/ with localstripe (test mode only)."

    def add_arguments(self, parser):
        parser.add_argument("url", help="this server's base URL, e.g. http://127.0.0.1:8000")
        parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for localstripe")

    def handle(self, *args, url: str, wait: float, **options):
        if not gateway.test_mode() or not settings.STRIPE_API_BASE:
            raise CommandError("Only for localstripe in test mode (STRIPE_TEST_MODE and STRIPE_API_BASE).")
        if not settings.STRIPE_API_BASE.startswith(("http://", "https://")):
            raise CommandError("STRIPE_API_BASE must be an http(s) URL.")
        endpoint = f"{settings.STRIPE_API_BASE.rstrip('/')}/_config/webhooks/portal"
        body = json.dumps({"url": f"{url.rstrip('/')}/webhooks/stripe/", "secret": settings.STRIPE_WEBHOOK_SECRET,
                           "events": list(HANDLED)}).encode()
        deadline = time.monotonic() + wait
        while True:
            request = urllib.request.Request(endpoint, data=body, method="POST",  # noqa: S310 - see below
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=3):  # noqa: S310 - the configured localstripe
                    break
            except (urllib.error.URLError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise CommandError(f"localstripe is not answering at {settings.STRIPE_API_BASE}: {exc}")
                time.sleep(0.3)
        self.stdout.write(f"localstripe delivers signed events to {url.rstrip('/')}/webhooks/stripe/ (TEST MODE).")
