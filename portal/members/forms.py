from allauth.mfa.totp.forms import ActivateTOTPForm as BaseActivateTOTPForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.privacy import NoEchoTextInput

from .identity import id_number_parse
from .models import Organisation, OrganisationLevel
from .validators import validate_person_name


class MemberSignupForm(forms.Form):
    """Extra sign-up fields (allauth ACCOUNT_SIGNUP_FORM_CLASS); the adapter saves them with the user."""

    real_name = forms.CharField(label=_("Real name"), max_length=50, validators=[validate_person_name])
    organisation = forms.ModelChoiceField(
        label=_("Grassroots union"),
        queryset=Organisation.objects.filter(level=OrganisationLevel.GRASSROOTS).order_by("name"),
    )
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False,
                                help_text=_("Optional now; needed before you enrol in mutual aid."),
                                widget=NoEchoTextInput(attrs={"autocomplete": "off"}))

    def clean_id_number(self):
        """A wrong checksum is a field error (it says nothing about anybody); a number registered to another
        account is accepted like any other and flagged for staff by member_create, so sign-up never tells."""
        raw = self.cleaned_data.get("id_number", "").strip()
        if raw:
            id_number_parse(raw)
        return raw

    def clean(self):
        cleaned = super().clean()
        if "phone" in self.fields and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Members sign up with a mobile number."))
        return cleaned

    def signup(self, request, user) -> None:
        """Nothing to do: AccountAdapter.save_user created the member in the user's transaction."""


class ActivateTOTPForm(BaseActivateTOTPForm):
    """allauth's TOTP activation (MFA_FORMS), refused to a staff account whose session has not confirmed the
    emailed enrolment code (portal.members.mfa, which also uses the clearance up once TOTP is activated)."""

    def clean(self):
        from allauth.core import context

        from . import mfa

        cleaned = super().clean()
        if mfa.enrolment_code_required(self.user) and not mfa.enrolment_cleared(session=context.request.session,
                                                                               user=self.user):
            raise ValidationError(_("First confirm the code we email you, then set up the authenticator app."),
                                  code="enrolment_code_required")
        return cleaned
