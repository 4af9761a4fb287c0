"""HTML forms for recuperation programmes: input shape only. Eligibility, quotas and steps are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import ELIGIBILITY_CATEGORIES, MAX_BATCH_PLACES, Batch, Programme
from portal import inputs
from portal.constraints import ConstraintErrorsFormMixin

from .forms import DateInput

MAX_FORM_PLACES = 5_000


class ApplyForm(forms.Form):
    """The member's confirmation; nothing to choose (the batch is in the URL)."""

    confirm = forms.BooleanField(label=_("I have read the dates and the route, and I want to apply"),
                                 error_messages={"required": _("Tick the box to confirm your application.")})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the member will see it)"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ProgrammeForm(ConstraintErrorsFormMixin, forms.ModelForm):
    """A programme's rules; saved only through the programme service."""

    categories = forms.MultipleChoiceField(label=_("Only for these member categories"), required=False,
                                           choices=ELIGIBILITY_CATEGORIES, widget=forms.CheckboxSelectMultiple,
                                           help_text=_("Leave all unticked for every member."))

    class Meta:
        model = Programme
        fields = ["organisation", "title", "year", "description", "min_model_worker_level", "categories",
                  "min_membership_years", "once_in_years", "priority_never_been", "skilled_share_percent", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class BatchForm(ConstraintErrorsFormMixin, forms.ModelForm):
    """A dated cohort of a programme at one sanatorium; saved only through the batch service."""

    start_date = inputs.DateField(label=_("Arrival"), widget=DateInput)
    end_date = inputs.DateField(label=_("Departure"), widget=DateInput)
    applications_open = inputs.DateField(label=_("Applications open"), widget=DateInput)
    applications_close = inputs.DateField(label=_("Applications close"), widget=DateInput)
    handback_cutoff = inputs.DateField(label=_("Unused places handed back by"), widget=DateInput)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=MAX_BATCH_PLACES)

    class Meta:
        model = Batch
        fields = ["sanatorium", "start_date", "end_date", "places", "route", "applications_open",
                  "applications_close", "handback_cutoff"]
        widgets = {"route": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, sanatoriums=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sanatoriums is not None:
            self.fields["sanatorium"].queryset = sanatoriums


class AllocateForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Union"), queryset=None)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=MAX_FORM_PLACES)
    skilled_reserved = forms.IntegerField(label=_("Of which kept for skilled workers"), min_value=0,
                                          max_value=MAX_FORM_PLACES, required=False,
                                          help_text=_("Empty: the programme's share."))

    def __init__(self, *args, children=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = children


class HandBackForm(forms.Form):
    places = forms.IntegerField(label=_("Places to hand back"), min_value=1, max_value=MAX_FORM_PLACES)


class NominateForm(forms.Form):
    member_number = forms.CharField(label=_("Member number"), max_length=20,
                                    widget=forms.TextInput(attrs={"autocomplete": "off", "translate": "no"}))
    note = forms.CharField(label=_("Why this member (the member will see it)"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
