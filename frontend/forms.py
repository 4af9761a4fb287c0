"""HTML forms: input shape only. Rules live in the services they hand their data to."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings.models import WALKIN_EARLIEST_DATE, WALKIN_MAX_PERSONS, Activity, MemberCategory, Session
from bookings.rules import HOURS_BEFORE_FIELDS, MAX_HOURS_BEFORE
from facilities.models import AssetRecord, Facility, Venue, VenueKind
from portal import inputs
from portal.constraints import ConstraintErrorsFormMixin
from portal.members.models import DependantRelation
from portal.members.selectors import grassroots_list
from portal.members.validators import validate_person_name
from portal.privacy import NoEchoTextInput

T = TypeVar("T")


class DateInput(forms.DateInput):
    input_type = "date"


class ProfileForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=50, validators=[validate_person_name])
    organisation = forms.ModelChoiceField(label=_("Grassroots union"), queryset=grassroots_list())
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False,
                                help_text=_("Leave empty to keep the one on file."),
                                widget=NoEchoTextInput(attrs={"autocomplete": "off"}))


class DependantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, validators=[validate_person_name])
    relation = forms.ChoiceField(label=_("Relation"), choices=DependantRelation.choices)
    birth_date = inputs.DateField(label=_("Birth date"), widget=DateInput)


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


def service_submit(form: forms.Form, call: Callable[[], T]) -> tuple[bool, T | None]:
    """Run the one service call behind a valid form: field errors it raises land on the form; a DomainError
    goes on to frontend.middleware (a NotFound is the 404 page). Returns (True, the result) or (False, None)."""
    try:
        return True, call()
    except ValidationError as exc:
        apply_service_errors(form, exc)
    return False, None


class BookForm(forms.Form):
    seats = forms.TypedChoiceField(label=_("Seats"), coerce=int, initial=1)
    waitlist = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, max_seats: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"].choices = [(n, str(n)) for n in range(1, max(max_seats, 1) + 1)]


class ActivityForm(ConstraintErrorsFormMixin, forms.ModelForm):
    """Activity fields for staff; saved only through bookings.services.activity_create / activity_update.
    The model's constraints are checked here too, so every error shows in one round."""

    price_yuan = forms.DecimalField(label=_("Price per seat (yuan, 0 for free)"), min_value=0, max_digits=8,
                                    decimal_places=2, initial=0)
    member_categories = forms.MultipleChoiceField(label=_("Only for these member categories"), required=False,
                                                  widget=forms.CheckboxSelectMultiple,
                                                  help_text=_("Leave all unticked for everyone."))

    class Meta:
        model = Activity
        fields = ["facility", "venue", "kind", "title", "category", "description", "members_only", "min_age",
                  "max_age", "member_categories", "max_seats_per_booking", "max_active_per_week",
                  "opens_hours_before", "closes_hours_before", "cancel_hours_before", "waitlist_enabled", "ballot",
                  "published"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, facilities=None, venues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_categories"].choices = MemberCategory.choices
        if facilities is not None:
            self.fields["facility"].queryset = facilities
        if venues is not None:
            self.fields["venue"].queryset = venues
        if self.instance.pk:
            self.fields["price_yuan"].initial = self.instance.price_fen / 100
            self.fields.pop("facility")
        for name in HOURS_BEFORE_FIELDS:  # at most a year ahead (bookings.rules)
            self.fields[name].validators.append(MaxValueValidator(MAX_HOURS_BEFORE))
            self.fields[name].widget.attrs["max"] = MAX_HOURS_BEFORE

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("price_yuan", "facility")}
        data["price_fen"] = int(round(self.cleaned_data["price_yuan"] * 100))
        return data


WEEKDAYS = [("MO", _("Monday")), ("TU", _("Tuesday")), ("WE", _("Wednesday")), ("TH", _("Thursday")),
            ("FR", _("Friday")), ("SA", _("Saturday")), ("SU", _("Sunday"))]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ScheduleForm(forms.Form):
    """A term of sessions: weekdays x weeks, or a raw RFC 5545 RRULE for anything else."""

    first_start = inputs.DateTimeField(label=_("First session starts"), widget=DateTimeLocalInput,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=1, max_value=24 * 60, initial=90)
    weekdays = forms.MultipleChoiceField(label=_("Every"), choices=WEEKDAYS, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    weeks = forms.IntegerField(label=_("For how many weeks"), min_value=1, max_value=104, required=False, initial=12)
    rrule = forms.CharField(label=_("Or a recurrence rule (RFC 5545)"), required=False, max_length=500,
                            help_text=_("For example FREQ=WEEKLY;BYDAY=TU,TH;COUNT=24. Used instead of the two "
                                        "fields above when filled in."))
    exdates = forms.CharField(label=_("Skip these dates (holidays)"), required=False,
                              help_text=_("YYYY-MM-DD, separated by commas."))
    capacity = forms.IntegerField(label=_("Places per session"), min_value=1, max_value=inputs.MAX_PEOPLE,
                                  required=False, help_text=_("Empty: the venue's capacity."))
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None, required=False)

    def __init__(self, *args, venues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues if venues is not None else Venue.objects.none()

    def clean_exdates(self):
        days = []
        for part in self.cleaned_data["exdates"].replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:  # the same bounded date field as every other date input (2026-13-45 is not a date)
                day = inputs.DateField(input_formats=["%Y-%m-%d"]).clean(part)
            except ValidationError as exc:
                raise ValidationError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": part}
                                      if exc.code == "invalid" else exc.messages[0])
            days.append(day)
        return days

    def clean(self):
        data = super().clean()
        if not data.get("rrule"):
            if not data.get("weekdays"):
                raise ValidationError(_("Tick at least one weekday, or enter a recurrence rule."))
            data["rrule"] = f"FREQ=WEEKLY;BYDAY={','.join(data['weekdays'])};COUNT=" \
                            f"{len(data['weekdays']) * (data.get('weeks') or 1)}"
        return data


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("New capacity"), min_value=0, max_value=inputs.MAX_PEOPLE)


class SessionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (members will see it)"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CheckinForm(forms.Form):
    code = forms.CharField(label=_("Ticket code"), max_length=64,
                           help_text=_("Scan the QR code, or type the 8 characters under it (for example "
                                       "7KQ4-M2XD; case, spaces and dashes do not matter)."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off",
                                                         "spellcheck": "false"}))


class WalkInForm(forms.Form):
    """A head count at a facility; venue, today's session and the day are optional refinements."""

    facility = forms.ModelChoiceField(label=_("Facility"), queryset=None)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None, required=False)
    session = forms.ModelChoiceField(label=_("Session today"), queryset=None, required=False)
    date = inputs.DateField(label=_("Date"), required=False, widget=DateInput(format="%Y-%m-%d"),
                            help_text=_("Empty: the session's day, or today."))
    persons = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=WALKIN_MAX_PERSONS)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, facilities=None, venues=None, sessions=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities
        self.fields["venue"].queryset = venues if venues is not None else Venue.objects.none()
        self.fields["venue"].label_from_instance = lambda v: f"{v.facility.name} · {v.name}"
        self.fields["session"].queryset = sessions if sessions is not None else Session.objects.none()
        self.fields["session"].label_from_instance = \
            lambda s: f"{timezone.localtime(s.start):%H:%M} {s.activity.title} · {s.activity.facility.name}"
        self.fields["date"].widget.attrs["min"] = WALKIN_EARLIEST_DATE.isoformat()
        if today is not None:
            self.fields["date"].initial = today
            self.fields["date"].widget.attrs["max"] = today.isoformat()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is not None and day < WALKIN_EARLIEST_DATE:
            raise ValidationError(_("Enter a date in 2000 or later."))
        return day


class SessionMoveForm(forms.Form):
    start = inputs.DateTimeField(label=_("New start"), widget=DateTimeLocalInput,
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    end = inputs.DateTimeField(label=_("New end"), widget=DateTimeLocalInput,
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None, required=False)

    def __init__(self, *args, venues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues if venues is not None else Venue.objects.none()


class VenueForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("venue", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=inputs.MAX_PEOPLE)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class VenueEditForm(VenueForm):
    active = forms.BooleanField(label=_("In use"), required=False,
                                help_text=_("Untick to stop scheduling here; past sessions keep their venue."))


class FacilityForm(ConstraintErrorsFormMixin, forms.ModelForm):
    """A facility's own fields; saved only through facilities.services.facility_create / facility_update."""

    class Meta:
        model = Facility
        fields = ["organisation", "kind", "name", "address", "region_code", "latitude", "longitude",
                  "opening_hours", "contact", "description", "accessibility", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "accessibility": forms.Textarea(attrs={"rows": 3}),
                   "region_code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6,
                                                         "pattern": "[0-9]{6}"})}
        help_texts = {"region_code": _("6 digits (GB/T 2260), for example 330100."),
                      "latitude": _("Decimal degrees, for example 30.274085."),
                      "longitude": _("Decimal degrees, for example 120.155070.")}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("organisation")
            self.fields.pop("kind")
        else:
            self.fields["organisation"].queryset = organisations

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


class AssetRecordForm(ConstraintErrorsFormMixin, forms.ModelForm):
    """One year's asset figures; saved only through facilities.services. The model's bounds (a year built not
    in the future nor after the record's year) are checked here too, so every error shows in one round."""

    book_value_yuan = forms.DecimalField(label=_("Book value (yuan)"), min_value=0, max_digits=14, decimal_places=2)
    field_order = ["year", "book_value_yuan", "land_area_m2", "floor_area_m2", "year_built", "title_status",
                   "operating_mode", "notes"]

    class Meta:
        model = AssetRecord
        fields = ["year", "land_area_m2", "floor_area_m2", "year_built", "title_status", "operating_mode", "notes"]
        labels = {"year": _("Year"), "land_area_m2": _("Land area (m²)"), "floor_area_m2": _("Floor area (m²)"),
                  "year_built": _("Year built"), "title_status": _("Title deed"),
                  "operating_mode": _("Operating mode"), "notes": _("Notes")}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "book_value_yuan"}
        data["book_value_fen"] = int(round(self.cleaned_data["book_value_yuan"] * 100))
        return data


class AssetRecordEditForm(AssetRecordForm):
    """An existing year's figures (pass the record as `instance`); the year itself stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("year")


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
