"""Forms of the mutual-aid pages (member and console): input shape only. Every rule (eligibility, shares, caps,
windows, document types) lives in mutualaid.services, which these forms hand their data to."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import MemberCategory
from mutualaid.filters import SchemeFilter
from mutualaid.models import (
    MAX_SHARES_LIMIT,
    Claim,
    ClaimStatus,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    EventType,
    Scheme,
    SchemeKind,
)
from portal import inputs
from portal.constraints import ConstraintErrorsFormMixin
from portal.filters import IntegerFilter
from portal.members.models import Organisation
from portal.privacy import NoEchoTextInput

from .forms import DateInput

MAX_YUAN = Decimal("9999999.99")  # ten million yuan: any larger figure is a typing slip
MAX_DOCUMENTS = 10


def yuan_field(label, *, required: bool = True, min_value: Decimal = Decimal("0"), help_text="") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, min_value=min_value, max_value=MAX_YUAN,
                              max_digits=9, decimal_places=2, help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))


def to_fen(value: Decimal | None) -> int:
    return int(round((value or 0) * 100))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the service checks each one's content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_DOCUMENTS:
            raise forms.ValidationError(_("Send at most %(n)d files at once.") % {"n": MAX_DOCUMENTS},
                                        code="too_many")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def document_fields(required: bool) -> dict[str, forms.Field]:
    """Photos taken with the phone's camera, and files (PDF or photos) chosen from the phone or computer."""
    return {
        "photos": MultipleFileField(
            label=_("Take photos of the documents"), required=False,
            help_text=_("Opens the camera on a phone."),
            widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})),
        "documents": MultipleFileField(
            label=_("Or choose files"), required=False,
            help_text=_("PDF, JPEG or PNG; up to %(n)d files, each at most 10 MB.") % {"n": MAX_DOCUMENTS},
            widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"})),
    } if not required else {}


class _DocumentsMixin:
    def all_files(self) -> list:
        return [*self.cleaned_data.get("photos", []), *self.cleaned_data.get("documents", [])]


# --- member pages -------------------------------------------------------------------------------------------

class MemberSchemeFilter(SchemeFilter):
    """The scheme list's query string: the API's filters (kind, shares) with labels for the page."""

    # Declared here with lazy labels rather than relabelled per instance: a filter's form field is built once
    # and copied, so a label set after that would never show (and one built in English would stay English).
    kind = django_filters.ChoiceFilter(choices=SchemeKind.choices, label=_("Kind of aid"), empty_label=_("All kinds"))
    shares = IntegerFilter(min_value=1, max_value=MAX_SHARES_LIMIT, label=_("Price for this many shares"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Scheme.objects.none())
        super().__init__(*args, **kwargs)


class EnrolForm(forms.Form):
    insured = forms.ChoiceField(label=_("Who is insured"), widget=forms.RadioSelect)
    shares = forms.IntegerField(label=_("Shares"), min_value=1, max_value=MAX_SHARES_LIMIT, initial=1,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, scheme: Scheme, member=None, dependants=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("self", _("Myself (%(name)s)") % {"name": member.real_name} if member is not None
                    else _("Myself"))]
        if scheme.dependants_allowed:
            choices += [(str(d.pk), _("%(name)s (%(relation)s)") % {"name": d.name,
                                                                    "relation": d.get_relation_display()})
                        for d in dependants]
        self.fields["insured"].choices = choices
        self.fields["insured"].initial = "self"
        self.fields["shares"].help_text = _("From 1 to %(n)d shares.") % {"n": scheme.max_shares}
        self.fields["shares"].widget.attrs["max"] = scheme.max_shares
        self._dependants = {str(d.pk): d for d in dependants}

    @property
    def dependant(self):
        return self._dependants.get(self.cleaned_data.get("insured"))


class ClaimForm(_DocumentsMixin, forms.Form):
    # Any id is read as a number and handed to the service: one that is not the member's is a 404 there.
    enrolment = forms.IntegerField(label=_("Cover"), min_value=1, max_value=2**31 - 1, widget=forms.Select)
    event_type = forms.ChoiceField(label=_("What happened"), choices=EventType.choices)
    admission_on = inputs.DateField(label=_("Admitted to hospital on"), required=False, widget=DateInput)
    discharge_on = inputs.DateField(label=_("Discharged on"), required=False, widget=DateInput)
    diagnosis_on = inputs.DateField(label=_("Diagnosed on"), required=False, widget=DateInput)
    illness = forms.CharField(label=_("Illness"), max_length=100, required=False)
    accident_on = inputs.DateField(label=_("Accident on"), required=False, widget=DateInput)
    injury_class = forms.CharField(label=_("Injury class"), max_length=40, required=False,
                                   help_text=_("As written on the disability or injury assessment."))
    amount_claimed_yuan = yuan_field(_("Amount claimed (yuan)"), min_value=Decimal("0.01"))
    eligible_amount_yuan = yuan_field(_("Medical costs the scheme covers (yuan)"), required=False,
                                      help_text=_("For hospital stays: the eligible amount on the invoice."))
    bank_name = forms.CharField(label=_("Bank"), max_length=100)
    bank_account = forms.CharField(label=_("Account number for the payout"), max_length=34,
                                   widget=NoEchoTextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                                   help_text=_("Shown afterwards only as its last four digits."))

    def __init__(self, *args, enrolments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(document_fields(required=False))
        self.fields["enrolment"].widget.choices = [
            (e.pk, f"{e.scheme.title} · {e.insured_name}") for e in enrolments]

    def clean_bank_account(self) -> str:
        return "".join(self.cleaned_data["bank_account"].split())

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"event_type": data["event_type"], "admission_on": data.get("admission_on"),
                "discharge_on": data.get("discharge_on"), "diagnosis_on": data.get("diagnosis_on"),
                "accident_on": data.get("accident_on"), "injury_class": data.get("injury_class") or "",
                "illness": data.get("illness") or "", "amount_claimed_fen": to_fen(data["amount_claimed_yuan"]),
                "eligible_amount_fen": to_fen(data.get("eligible_amount_yuan")), "bank_name": data["bank_name"],
                "bank_account": data["bank_account"]}


class ClaimDocumentsForm(_DocumentsMixin, forms.Form):
    """More documents for a claim under review."""

    message = forms.CharField(label=_("Note for the reviewer"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = document_fields(required=False)
        self.fields = {**fields, "message": self.fields["message"]}


# --- console ------------------------------------------------------------------------------------------------

YUAN_FIELDS = {  # model field (fen) -> form label (yuan)
    "contribution_fen": _("Contribution per share per term (yuan)"),
    "per_day_allowance_fen": _("Allowance per day in hospital, per share (yuan)"),
    "deductible_fen": _("Deductible (yuan)"),
    "lump_sum_fen": _("Lump sum per share (yuan)"),
    "cap_per_claim_fen": _("Cap per claim, per share (yuan)"),
    "cap_per_term_fen": _("Cap per term, per share (yuan)"),
}


class SchemeForm(ConstraintErrorsFormMixin, forms.ModelForm):
    """A scheme's setup; saved only through mutualaid.services. Amounts are typed in yuan and kept in fen; the
    model's constraints are checked here too, so every error shows in one round."""

    member_categories = forms.MultipleChoiceField(
        label=_("Only for these member categories"), required=False, choices=MemberCategory.choices,
        widget=forms.CheckboxSelectMultiple, help_text=_("Leave all unticked for every member."))
    illnesses_text = forms.CharField(label=_("Listed illnesses (one per line)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    injury_schedule_text = forms.CharField(
        label=_("Amount per share by injury class (one per line: class = yuan)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("For example: 1 = 5000"))

    class Meta:
        model = Scheme
        fields = ["organisation", "title", "kind", "status", "description", "term_years", "term_start", "term_end",
                  "union_funded", "max_shares", "min_age", "max_age", "dependants_allowed", "enrolment_opens_on",
                  "enrolment_closes_on", "waiting_period_days", "ratio_percent", "alert_loss_ratio_percent"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "term_start": DateInput,
                   "term_end": DateInput, "enrolment_opens_on": DateInput, "enrolment_closes_on": DateInput}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in YUAN_FIELDS.items():
            required = name in ("cap_per_claim_fen", "cap_per_term_fen")
            self.fields[name.replace("_fen", "_yuan")] = yuan_field(label, required=required)
            if self.instance.pk:
                self.fields[name.replace("_fen", "_yuan")].initial = Decimal(getattr(self.instance, name)) / 100
        if self.instance.pk:
            self.fields.pop("organisation")
            self.fields["member_categories"].initial = self.instance.member_categories or []
            self.fields["illnesses_text"].initial = "\n".join(self.instance.illnesses or [])
            self.fields["injury_schedule_text"].initial = "\n".join(
                f"{k} = {Decimal(v) / 100}" for k, v in (self.instance.injury_schedule or {}).items())
        elif organisations is not None:
            self.fields["organisation"].queryset = organisations
        for name in ("term_start", "term_end", "enrolment_opens_on", "enrolment_closes_on"):
            self.fields[name].validators.append(inputs.check_window)
        self.order_fields(["organisation", "title", "kind", "status", "description", "term_years", "term_start",
                           "term_end", "enrolment_opens_on", "enrolment_closes_on", "contribution_yuan",
                           "union_funded", "max_shares", "min_age", "max_age", "member_categories",
                           "dependants_allowed", "waiting_period_days", "per_day_allowance_yuan", "ratio_percent",
                           "deductible_yuan", "lump_sum_yuan", "illnesses_text", "injury_schedule_text",
                           "cap_per_claim_yuan", "cap_per_term_yuan", "alert_loss_ratio_percent"])

    def clean_illnesses_text(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["illnesses_text"].splitlines() if line.strip()][:50]

    def clean_injury_schedule_text(self) -> dict[str, int]:
        schedule = {}
        for line in self.cleaned_data["injury_schedule_text"].splitlines():
            if not line.strip():
                continue
            name, sep, amount = line.partition("=")
            try:
                fen = to_fen(Decimal(amount.strip()))
            except (ArithmeticError, ValueError):
                fen = -1
            if not sep or not name.strip() or not 0 <= fen <= to_fen(MAX_YUAN):
                raise forms.ValidationError(_("Write each line as “class = amount in yuan”, for example 1 = 5000."),
                                            code="injury_schedule")
            schedule[name.strip()[:40]] = fen
        return schedule

    def _post_clean(self):
        # The model's constraints see the amounts in fen before they are checked.
        for name in YUAN_FIELDS:
            value = self.cleaned_data.get(name.replace("_fen", "_yuan"))
            setattr(self.instance, name, to_fen(value))
        super()._post_clean()

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items()
                if k in self.Meta.fields and k != "organisation"}
        for name in YUAN_FIELDS:
            data[name] = to_fen(self.cleaned_data.get(name.replace("_fen", "_yuan")))
        data["member_categories"] = self.cleaned_data.get("member_categories") or []
        data["illnesses"] = self.cleaned_data.get("illnesses_text") or []
        data["injury_schedule"] = self.cleaned_data.get("injury_schedule_text") or {}
        return data


class RosterUploadForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=Scheme.objects.none())
    organisation = forms.ModelChoiceField(label=_("Grassroots union (work unit)"), queryset=None)
    file = forms.FileField(label=_("Roster (XLSX or CSV)"), help_text=_(
        "Columns: name, resident ID number, mobile phone, shares. Up to 100,000 rows; CSV in UTF-8 or GBK."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-"
                                                         "officedocument.spreadsheetml.sheet"}))

    def __init__(self, *args, schemes, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes
        self.fields["organisation"].queryset = organisations


class ApproveForm(forms.Form):
    amount_yuan = yuan_field(_("Amount to pay (yuan)"))
    reason = forms.CharField(label=_("Reason (needed when it differs from the suggestion)"), max_length=500,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @property
    def amount_fen(self) -> int:
        return to_fen(self.cleaned_data["amount_yuan"])


class RejectClaimForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the member sees it)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MoreInfoForm(forms.Form):
    message = forms.CharField(label=_("What the member should send"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class PaidForm(forms.Form):
    payout_reference = forms.CharField(label=_("Payout reference"), max_length=100)


class EnrolmentFilter(django_filters.FilterSet):
    """The console enrolment list's query string (the same bounded fields as every page)."""

    scheme = django_filters.ModelChoiceFilter(label=_("Scheme"), queryset=Scheme.objects.none())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EnrolmentStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=EnrolmentSource.choices)
    organisation = django_filters.ModelChoiceFilter(label=_("Union"), queryset=Organisation.objects.none())
    q = django_filters.CharFilter(label=_("Name or member number"), max_length=50)

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def __init__(self, *args, schemes=None, organisations=None, **kwargs):
        kwargs.setdefault("queryset", Enrolment.objects.none())
        super().__init__(*args, **kwargs)
        if schemes is not None:
            self.filters["scheme"].queryset = schemes
        if organisations is not None:
            self.filters["organisation"].queryset = organisations


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClaimStatus.choices)
    scheme = django_filters.ModelChoiceFilter(label=_("Scheme"), queryset=Scheme.objects.none())

    class Meta:
        model = Claim
        fields: list[str] = []

    def __init__(self, *args, schemes=None, **kwargs):
        kwargs.setdefault("queryset", Claim.objects.none())
        super().__init__(*args, **kwargs)
        if schemes is not None:
            self.filters["scheme"].queryset = schemes


# Service field names -> this form's (amounts in yuan, lists as text).
SCHEME_ERROR_FIELDS = {**{name: name.replace("_fen", "_yuan") for name in YUAN_FIELDS},
                       "illnesses": "illnesses_text", "injury_schedule": "injury_schedule_text"}
