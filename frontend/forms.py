"""HTML forms: input shape only. Rules live in the services they hand their data to."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.members.models import DependantRelation
from portal.members.selectors import grassroots_list


class DateInput(forms.DateInput):
    input_type = "date"


class ProfileForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=50)
    organisation = forms.ModelChoiceField(label=_("Grassroots union"), queryset=grassroots_list())
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False,
                                help_text=_("Leave empty to keep the one on file."),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))


class DependantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation"), choices=DependantRelation.choices)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the member will see it)"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form: on the field it names, else on the whole form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class BookForm(forms.Form):
    seats = forms.TypedChoiceField(label=_("Seats"), coerce=int, initial=1)
    waitlist = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, max_seats: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"].choices = [(n, str(n)) for n in range(1, max(max_seats, 1) + 1)]
