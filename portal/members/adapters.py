from __future__ import annotations

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal import ratelimits
from portal.client_ip import client_ip
from portal.notifications.sms import get_backend

from .identity import phone_normalise
from .models import User
from .services import member_create


class AccountAdapter(DefaultAccountAdapter):
    """Phone numbers live on User (E.164); sign-up creates the pending Member in the same transaction."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_verification_cooldown": _("We emailed you a verification code moments ago. Wait a few seconds, "
                                         "then sign in again and we will send you a new one."),
    }

    def authenticate(self, request, **credentials):
        """The right password of an account whose email is not verified yet leads to the code step, which
        must send a new code (a code belongs to the session that asked for it). While the previous code's
        cooldown lasts (ACCOUNT_RATE_LIMITS["confirm_email"]) allauth refuses the sign-in as "too many failed
        login attempts", right after sign-up too; say what is really going on instead."""
        user = super().authenticate(request, **credentials)
        if user is not None and self._verification_code_cooling_down(request, user):
            raise self.validation_error("email_verification_cooldown")
        return user

    def _verification_code_cooling_down(self, request, user) -> bool:
        if app_settings.EMAIL_VERIFICATION != app_settings.EmailVerificationMethod.MANDATORY:
            return False
        address = EmailAddress.objects.filter(user=user).order_by("-primary", "-verified").first()
        if address is None or address.verified:
            return False
        return not ratelimit.consume(request, action="confirm_email", key=address.email.lower(), dry_run=True)

    def save_user(self, request, user, form, commit=True):
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            data = form.cleaned_data
            if commit and data.get("organisation"):
                member_create(user=user, real_name=data["real_name"], organisation=data["organisation"],
                              id_number=data.get("id_number", ""))
        return user

    def get_client_ip(self, request) -> str:
        return client_ip(request)  # the TRUSTED_PROXY_COUNT rule, shared with the API throttles

    def pre_authenticate(self, request, **credentials) -> None:
        # allauth reports a lock-out as a form error (200/400); answer 429 with Retry-After instead.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            key = self._get_login_attempts_cache_key(request, **credentials)
            raise ImmediateHttpResponse(ratelimits.login_locked_out(request, key=key)) from None

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys the per-account lock-out on email or username only, so every phone login shared one
        # key: five wrong passwords for any phone number locked out every phone login.
        if credentials.get("phone") and not credentials.get("email"):
            try:
                phone = phone_normalise(credentials["phone"])
            except ValidationError:
                phone = credentials["phone"]
            return f"{get_current_site(request).domain}:phone:{phone}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def format_email_subject(self, subject: str) -> str:
        """The portal's name, not the request's host ("[127.0.0.1:8101]"): there is no django.contrib.sites."""
        return str(_("[%(site_name)s] %(subject)s")) % {"site_name": settings.SITE_NAME, "subject": subject}

    def phone_form_field(self, **kwargs):
        kwargs["validators"] = []
        kwargs.setdefault("help_text", "13800000000")
        return PhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        try:
            return phone_normalise(phone)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone, user.phone_verified = phone, verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user, phone: str) -> None:
        User.objects.filter(pk=user.pk, phone=phone).update(phone_verified=True)

    def get_user_by_phone(self, phone: str):
        try:
            phone = phone_normalise(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        # 【工会服务】 is the SMS signature registered with the carriers; the rest is in the member's language.
        text = _("Your verification code is %(code)s. It is valid for 10 minutes.") % {"code": code}
        get_backend().send(phone=phone, text=f"【工会服务】{text}")
