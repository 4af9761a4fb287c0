"""Forms of the payment pages: the test-mode card form and the staff refund form (input shape only)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _


class TestCardForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=23, validators=[RegexValidator(
        r"^[0-9 ]{12,23}$", _("Enter the card number (digits only)."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "placeholder": "4242 4242 4242 4242"}))
    exp_month = forms.IntegerField(label=_("Expiry month"), min_value=1, max_value=12,
                                   widget=forms.NumberInput(attrs={"placeholder": "12"}))
    exp_year = forms.IntegerField(label=_("Expiry year"), min_value=2000, max_value=2100,
                                  widget=forms.NumberInput(attrs={"placeholder": "2030"}))
    cvc = forms.CharField(label=_("Security code (CVC)"), max_length=4, validators=[RegexValidator(
        r"^[0-9]{3,4}$", _("Enter the 3 or 4 digits on the back of the card."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "123"}))

    def clean_card_number(self) -> str:
        return self.cleaned_data["card_number"].replace(" ", "")


class RefundForm(forms.Form):
    amount_yuan = forms.DecimalField(label=_("Amount to refund (yuan)"), min_value=Decimal("0.01"), max_digits=10,
                                     decimal_places=2)
    reason = forms.CharField(label=_("Reason (the member sees it)"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, max_fen: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if max_fen is not None:  # what is left to refund: said together with any other error
            field = self.fields["amount_yuan"]
            field.max_value = Decimal(max_fen) / 100
            field.validators.append(MaxValueValidator(field.max_value))
            field.widget.attrs["max"] = str(field.max_value)

    @property
    def amount_fen(self) -> int:
        return int(self.cleaned_data["amount_yuan"] * 100)
