import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.members.demo import DEMO_TOTP_SECRET


def totp_now(secret: str = DEMO_TOTP_SECRET, *, fresh_for: float = 3.0) -> str:
    """The current TOTP code for a base32 secret (what an authenticator app would show).

    In a period's last `fresh_for` seconds it waits for the next period: the portal accepts no neighbouring
    period, so a code read then would often have expired by the time it is typed or sent."""
    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < fresh_for:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo staff accounts (demo settings only)."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("demo_totp is for the demo configuration only.")
        self.stdout.write(totp_now())
