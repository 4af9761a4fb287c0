"""Two-factor set-up pages around allauth's: the emailed code a staff account confirms before its first TOTP."""

from __future__ import annotations

from allauth.mfa.totp.views import activate_totp as allauth_activate_totp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError
from portal.members import mfa


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the email"), max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


def activate_totp(request, *args, **kwargs):
    """allauth's activation page, reached by a staff account only after it confirmed the emailed code."""
    user = request.user
    if user.is_authenticated and mfa.enrolment_code_required(user) and not mfa.enrolment_cleared(
            session=request.session, user=user):
        return redirect("frontend:totp_enrolment")
    return allauth_activate_totp(request, *args, **kwargs)


@login_required
def totp_enrolment(request):
    user = request.user
    if not mfa.enrolment_code_required(user) or mfa.enrolment_cleared(session=request.session, user=user):
        return redirect("mfa_activate_totp")
    form = EnrolmentCodeForm()
    if request.method == "POST" and "send" in request.POST:
        try:
            address = mfa.enrolment_code_send(request=request, user=user)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("We emailed a code to %(email)s.") % {"email": address})
        return redirect("frontend:totp_enrolment")
    if request.method == "POST":
        form = EnrolmentCodeForm(request.POST)
        if form.is_valid():
            if mfa.enrolment_code_verify(session=request.session, user=user, code=form.cleaned_data["code"]):
                return redirect("mfa_activate_totp")
            form.add_error("code", _("This code is wrong or has expired. Ask for a new one."))
    return render(request, "frontend/account/totp_enrolment.html", {
        "form": form, "email": mfa.enrolment_email(user),
        "sent": mfa.enrolment_code_pending(session=request.session, user=user),
        "minutes": settings.MFA_ENROLMENT_CODE_MINUTES,
    })
