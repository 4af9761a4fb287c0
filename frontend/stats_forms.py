"""Forms and query strings of the console's statistics pages (dashboard, exports, annual report, targets)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import inputs
from portal.stats.models import ExportFormat, ExportKind, TargetMetric
from portal.stats.selectors_pages import FIRST_YEAR

# The longest period one export may cover (the API refuses more, and so does this form, field by field).
MAX_EXPORT_DAYS = 3660


def last_year() -> int:
    return timezone.localdate().year + 1


class StatsQueryForm(forms.Form):
    """`?org=&year=` of the dashboard and the annual report (the organisation's scope is the selector's)."""

    org = forms.IntegerField(label=_("Organisation"), required=False, min_value=1, max_value=2**31 - 1)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].validators.append(MaxValueValidator(last_year()))


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to export"), choices=ExportKind.choices)
    organisation = OrganisationChoice(label=_("Organisation"), queryset=None, empty_label=None)
    start = inputs.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = inputs.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}),
                           help_text=_("The annual report covers the year of this date."))
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.XLSX,
                               widget=forms.RadioSelect)
    template_name = forms.CharField(label=_("Save as a template named"), required=False, max_length=100,
                                    help_text=_("To run the same export again later."))
    rolling = forms.BooleanField(label=_("When the template is run, cover 1 January to that day"), required=False,
                                 initial=True)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("start", today.replace(month=1, day=1))
            self.initial.setdefault("end", today)
            first = organisations.first()
            if first is not None:
                self.initial.setdefault("organisation", first.pk)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", ValidationError(_("The end comes before the start."), code="end_before_start"))
            elif (end - start).days > MAX_EXPORT_DAYS:
                self.add_error("end", ValidationError(_("An export covers at most ten years."), code="too_long"))
        return data

    def filters(self, *, for_template: bool = False) -> dict:
        """The service's filters for the chosen kind (a rolling template keeps no dates: it runs to date)."""
        data = self.cleaned_data
        filters = {"org": data["organisation"].pk}
        if data["kind"] == ExportKind.ASSET_REPORT:
            filters["year"] = data["end"].year
        elif not (for_template and data.get("rolling")):
            filters.update(start=data["start"].isoformat(), end=data["end"].isoformat())
        return filters


# A service's field errors under this form's field names.
EXPORT_ERROR_FIELDS = {"org": "organisation", "year": "end", "start": "start", "end": "end", "kind": "kind",
                       "format": "format", "name": "template_name"}


class TargetsForm(forms.Form):
    """One number per metric for an organisation and year; a blank field leaves that target unset."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for metric in TargetMetric:
            top = 100 if metric == TargetMetric.SKILLED_WORKER_SHARE else 10**12
            self.fields[metric.value] = forms.IntegerField(label=metric.label, required=False, min_value=0,
                                                           max_value=top)

    def targets(self) -> dict[str, int]:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}
