"""The second factor: whether a session passed it, and the emailed code guarding a first TOTP enrolment.

A password alone never opens staff powers. Staff pages, the staff API and /admin/ ask whether *this
session* passed MFA (allauth's authentication records, kept in the browser session or in the session
behind an app's X-Session-Token), not merely whether TOTP is enrolled. And whoever holds staff powers
(a role grant, or admin access) enrols their first authenticator only with a code sent to their verified
email address, so a stolen password cannot enrol the attacker's own authenticator.
"""

from __future__ import annotations

import hmac
import secrets
import time
from types import SimpleNamespace

from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.mail import send_mail
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from portal.errors import Conflict, NotPermitted

from .models import RoleGrant

ENROLMENT_SESSION_KEY = "portal_mfa_enrolment"
ENROLMENT_CODE_DIGITS = 8
ENROLMENT_MAX_ATTEMPTS = 5


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def session_passed_mfa(user, session: SessionBase | None) -> bool:
    """Did `session` (a browser session or an app token's session) complete a second factor for `user`?"""
    if session is None or not getattr(user, "is_authenticated", False):
        return False
    records = get_authentication_records(SimpleNamespace(session=session), user)
    # Only a step taken with the factor enrolled now counts: after a reset (see on_role_granted) a session
    # that passed MFA with the removed authenticator has to pass it again.
    totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).only("created_at").first()
    if totp is None:
        return False
    since = totp.created_at.timestamp()
    return any(record.get("method") == "mfa" and record.get("at", 0) >= since for record in records)


def request_session(request) -> SessionBase | None:
    """The session that authenticated a request: an app's X-Session-Token session (DRF puts it in
    `request.auth`), else the browser session."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, SessionBase):
        return auth
    return getattr(request, "session", None)


def on_authenticator_added(sender, request, user, authenticator: Authenticator, **kwargs) -> None:
    """TOTP just activated: the session typed a code from the new factor, so it counts as having passed MFA;
    the enrolment clearance it used is spent (allauth's `authenticator_added` signal)."""
    from allauth.account.internal.flows.login import record_authentication

    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    enrolment_clearance_consume(session=request.session)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)


def on_role_granted(sender, instance: RoleGrant, created: bool, raw: bool = False, **kwargs) -> None:
    """A member's first staff role removes the authenticators they enrolled as a member.

    Members enrol TOTP with the password alone; staff need an emailed code (below). Without this, whoever knew a
    member's password and enrolled their own authenticator would inherit staff powers the day a role is granted.
    """
    from portal.notifications.services import notify

    if not created or raw:
        return
    user = instance.user
    if user.is_staff or user.is_superuser or RoleGrant.objects.filter(user_id=user.pk).exclude(pk=instance.pk).exists():
        return  # already held staff powers: the enrolment went through the emailed code
    removed, _counts = Authenticator.objects.filter(user_id=user.pk).delete()
    if removed:
        notify(user=user, kind="staff_totp_reset", context={"role": instance.get_role_display(),
                                                            "organisation": instance.organisation.name})


# --- first enrolment of staff ---------------------------------------------------------------------

def holds_staff_powers(user) -> bool:
    """Role grants and admin access are what a second factor protects; members enrol freely."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or RoleGrant.objects.filter(user_id=user.pk).exists()


def enrolment_code_required(user) -> bool:
    """Enrolling a TOTP without one already needs an emailed code when the account holds staff powers."""
    return holds_staff_powers(user) and not has_totp(user)


def _digest(user, code: str) -> str:
    return salted_hmac("portal.mfa.enrolment", f"{user.pk}:{code}").hexdigest()


def _state(session: SessionBase, user) -> dict | None:
    state = session.get(ENROLMENT_SESSION_KEY)
    if not isinstance(state, dict) or state.get("user") != user.pk or state.get("expires", 0) < time.time():
        return None
    return state


def _verified_email(user) -> str | None:
    address = (EmailAddress.objects.filter(user_id=user.pk, verified=True).order_by("-primary", "pk").first())
    return address.email if address else None


def mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def enrolment_email(user) -> str | None:
    """Where the code goes, masked for display; None when the account has no verified address."""
    email = _verified_email(user)
    return mask_email(email) if email else None


def enrolment_code_send(*, request, user) -> str:
    """Email a fresh single-use code, valid in this session only; return the masked address."""
    email = _verified_email(user)
    if email is None:
        raise NotPermitted(_("Verify your email address first: the code is sent there."))
    if not ratelimit.consume(request, action="mfa_enrolment_code", user=user):
        raise Conflict(_("A code was sent moments ago. Wait a minute before asking for another."),
                       code="rate_limited")
    code = f"{secrets.randbelow(10**ENROLMENT_CODE_DIGITS):0{ENROLMENT_CODE_DIGITS}d}"
    minutes = settings.MFA_ENROLMENT_CODE_MINUTES
    request.session[ENROLMENT_SESSION_KEY] = {
        "user": user.pk, "digest": _digest(user, code), "expires": time.time() + minutes * 60,
        "attempts": 0, "cleared": False,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Your code to set up two-factor authentication")
        body = _(
            "Your code is {code}. It is valid for {minutes} minutes, once, in the browser where you asked for it.\n\n"
            "If you did not ask for it, someone who knows your password is trying to take over your staff "
            "account: change your password now and tell your union's administrator."
        ).format(code=code, minutes=minutes)
    send_mail(subject, body, None, [email])
    return mask_email(email)


def enrolment_code_pending(*, session: SessionBase, user) -> bool:
    state = _state(session, user)
    return bool(state and state.get("digest"))


def enrolment_code_verify(*, session: SessionBase, user, code: str) -> bool:
    """Check the emailed code; a right one clears this session to enrol (once), wrong ones use up attempts."""
    state = _state(session, user)
    if state is None or not state.get("digest"):
        return False
    candidate = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(_digest(user, candidate), state["digest"]):
        state["attempts"] += 1
        if state["attempts"] >= ENROLMENT_MAX_ATTEMPTS:
            session.pop(ENROLMENT_SESSION_KEY, None)
        else:
            session[ENROLMENT_SESSION_KEY] = state
        return False
    minutes = settings.MFA_ENROLMENT_CODE_MINUTES
    session[ENROLMENT_SESSION_KEY] = {**state, "digest": None, "cleared": True,
                                      "expires": time.time() + minutes * 60}
    return True


def enrolment_cleared(*, session: SessionBase, user) -> bool:
    state = _state(session, user)
    return bool(state and state.get("cleared"))


def enrolment_clearance_consume(*, session: SessionBase) -> None:
    session.pop(ENROLMENT_SESSION_KEY, None)
