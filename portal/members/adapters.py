from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.notifications.sms import get_backend

from .identity import phone_normalise
from .models import User
from .services import member_create


class AccountAdapter(DefaultAccountAdapter):
    """Phone numbers live on User (E.164); sign-up creates the pending Member in the same transaction."""

    def save_user(self, request, user, form, commit=True):
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            data = form.cleaned_data
            if commit and data.get("organisation"):
                member_create(user=user, real_name=data["real_name"], organisation=data["organisation"],
                              id_number=data.get("id_number", ""))
        return user

    def format_email_subject(self, subject: str) -> str:
        """The portal's name, not the request's host ("[127.0.0.1:8101]"): there is no django.contrib.sites."""
        return _("[%(site_name)s] %(subject)s") % {"site_name": settings.SITE_NAME, "subject": subject}

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
