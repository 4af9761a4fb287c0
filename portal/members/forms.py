from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.privacy import NoEchoTextInput

from .identity import id_number_parse
from .models import Member, Organisation, OrganisationLevel
from .services import DUPLICATE_ID_MESSAGE


class MemberSignupForm(forms.Form):
    """Extra sign-up fields (allauth ACCOUNT_SIGNUP_FORM_CLASS); the adapter saves them with the user."""

    real_name = forms.CharField(label=_("Real name"), max_length=50)
    organisation = forms.ModelChoiceField(
        label=_("Grassroots union"),
        queryset=Organisation.objects.filter(level=OrganisationLevel.GRASSROOTS).order_by("name"),
    )
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False,
                                help_text=_("Optional now; needed before you enrol in mutual aid."),
                                widget=NoEchoTextInput(attrs={"autocomplete": "off"}))

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number", "").strip()
        if raw:
            parsed = id_number_parse(raw)
            if Member.objects.filter(id_number_hash=parsed.hash).exists():
                raise ValidationError(DUPLICATE_ID_MESSAGE)
        return raw

    def clean(self):
        cleaned = super().clean()
        if "phone" in self.fields and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Members sign up with a mobile number."))
        return cleaned

    def signup(self, request, user) -> None:
        """Nothing to do: AccountAdapter.save_user created the member in the user's transaction."""
