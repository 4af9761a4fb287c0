"""What every page's header needs: text size, unread messages, whether to show the console link."""

from __future__ import annotations

import functools

from django.contrib.staticfiles import finders
from django.utils.functional import SimpleLazyObject

from portal.members import permissions
from portal.members.models import Member
from portal.notifications.selectors import message_unread_count

LARGE_TEXT_COOKIE = "large_text"


@functools.cache
def _vendor_available(name: str) -> bool:
    return finders.find(f"vendor/{name}") is not None


def ui(request) -> dict:
    user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return {
        "ui": {
            "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
            "unread": SimpleLazyObject(lambda: message_unread_count(user=user) if authenticated else 0),
            "has_member": SimpleLazyObject(lambda: authenticated and Member.objects.filter(user=user).exists()),
            "is_staff_member": SimpleLazyObject(lambda: authenticated and permissions.is_staff_member(user)),
            "htmx": SimpleLazyObject(lambda: _vendor_available("htmx.min.js")),
            "qr_scanner": SimpleLazyObject(lambda: _vendor_available("html5-qrcode.min.js")),
        }
    }
