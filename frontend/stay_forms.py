"""Forms of the sanatorium pages (member stays, console room types and nights): input shape only.

Every rule (nights open, length of stay, who may be a guest, the price split) lives in the services these
forms hand their data to; an error they raise lands on the field it names (frontend.forms.apply_service_errors).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from bookings.models import MAX_ROOMS_PER_STAY
from facilities.models import MAX_NIGHTLY_PRICE_FEN, MAX_ROOMS_PER_TYPE, RoomType
from portal import inputs
from portal.constraints import ConstraintErrorsFormMixin

from .forms import DateInput

MAX_PRICE_YUAN = MAX_NIGHTLY_PRICE_FEN // 100


class MonthForm(forms.Form):
    """`?month=YYYY-MM` on the month grids."""

    month = forms.CharField(required=False, max_length=7, validators=[RegexValidator(
        r"^\d{4}-\d{2}$", _("Enter a month as YYYY-MM."))])

    def clean_month(self) -> date | None:
        raw = self.cleaned_data["month"]
        if not raw:
            return None
        try:
            first = date(int(raw[:4]), int(raw[5:]), 1)
        except ValueError:
            raise ValidationError(_("Enter a month as YYYY-MM."), code="invalid") from None
        inputs.check_window(first)
        return first


class StayForm(forms.Form):
    """Dates, rooms and who comes: the member, and any of their own dependants they tick."""

    check_in = inputs.DateField(label=_("Check-in date"), widget=DateInput(format="%Y-%m-%d"))
    check_out = inputs.DateField(label=_("Check-out date"), widget=DateInput(format="%Y-%m-%d"),
                                 help_text=_("The morning you leave; the last night is the one before."))
    rooms = forms.IntegerField(label=_("Rooms"), min_value=1, max_value=MAX_ROOMS_PER_STAY, initial=1,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    guests = forms.MultipleChoiceField(label=_("Who is staying"), required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("You are always a guest; tick the family members on your profile "
                                                   "who come with you."))

    def __init__(self, *args, dependants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guests"].choices = [(str(d.pk), f"{d.name} · {d.get_relation_display()}") for d in dependants]
        self.fields["guests"].error_messages["invalid_choice"] = _(
            "Only you and the family members on your profile can be guests.")

    def dependant_ids(self) -> list[int]:
        return sorted(int(g) for g in self.cleaned_data["guests"])


def yuan_to_fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


class RoomTypeForm(ConstraintErrorsFormMixin, forms.ModelForm):
    """A room type's own fields; saved only through facilities.rooms. The model's constraints are checked here
    too, so every error shows in one round."""

    member_price_yuan = forms.DecimalField(label=_("Member price per night (yuan)"), min_value=0,
                                           max_value=MAX_PRICE_YUAN, max_digits=8, decimal_places=2)
    companion_price_yuan = forms.DecimalField(label=_("Companion price per night (yuan)"), min_value=0,
                                              max_value=MAX_PRICE_YUAN, max_digits=8, decimal_places=2,
                                              help_text=_("For family members staying with the member."))
    field_order = ["facility", "name", "kind", "rooms", "beds", "member_price_yuan", "companion_price_yuan",
                   "description", "active"]

    class Meta:
        model = RoomType
        fields = ["facility", "name", "kind", "rooms", "beds", "description", "active"]
        labels = {"name": _("Name"), "kind": _("Kind of room"), "rooms": _("Number of rooms"),
                  "beds": _("Beds per room"), "description": _("Description"),
                  "active": _("Members can book it"), "facility": _("Sanatorium")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"rooms": _("Rooms of this kind in all; each night can open fewer.")}

    def __init__(self, *args, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("facility")
            self.fields["member_price_yuan"].initial = Decimal(self.instance.member_price_fen) / 100
            self.fields["companion_price_yuan"].initial = Decimal(self.instance.companion_price_fen) / 100
        else:
            self.fields["facility"].queryset = facilities

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items()
                if k not in ("facility", "member_price_yuan", "companion_price_yuan")}
        data["member_price_fen"] = yuan_to_fen(self.cleaned_data["member_price_yuan"])
        data["companion_price_fen"] = yuan_to_fen(self.cleaned_data["companion_price_yuan"])
        return data


class RoomTypePhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class NightRangeForm(forms.Form):
    """A range of nights, first and last both included, and (to open or resize) a room count."""

    start = inputs.DateField(label=_("First night"), widget=DateInput(format="%Y-%m-%d"))
    last = inputs.DateField(label=_("Last night (included)"), widget=DateInput(format="%Y-%m-%d"))
    rooms = forms.IntegerField(label=_("Rooms open"), min_value=0, max_value=MAX_ROOMS_PER_TYPE,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, with_rooms: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_rooms:
            self.fields.pop("rooms")

    def clean(self):
        data = super().clean()
        start, last = data.get("start"), data.get("last")
        if start and last and last < start:
            self.add_error("last", _("The last night cannot be before the first night."))
        return data


class DayForm(forms.Form):
    """`?date=YYYY-MM-DD` on the arrivals and departures page."""

    date = inputs.DateField(required=False)
