"""Member payment pages: pay (test card form in test mode, Stripe's Payment Element otherwise), the outcome
(polled with htmx, or refreshed by hand), the printable receipt and the list of the member's payments.

Every rule lives in portal.payments (services, selectors); these views only shape pages.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from bookings.selectors import member_for
from portal.errors import Conflict
from portal.payments import gateway, selectors, services
from portal.payments.api import receipt_data
from portal.payments.declines import decline_message
from portal.payments.models import PAID_STATUSES, PaymentStatus
from portal.payments.payables import adapter_for

from ..payment_forms import TestCardForm

# Stripe.js and its Payment Element come from Stripe and nowhere else, and only on the payment page.
STRIPE_CSP = {"script-src": ["https://js.stripe.com"], "frame-src": ["https://js.stripe.com",
                                                                      "https://hooks.stripe.com"],
              "connect-src": ["https://api.stripe.com"]}


def _payment(request, pk: int):
    return selectors.payment_get_for_member(member=member_for(request.user), payment_id=pk)


def _context(payment) -> dict:
    adapter = adapter_for(payment)
    payable = payment.payable
    return {"section": "bookings", "payment": payment, "payable": payable, "title": adapter.title(payable),
            "payable_url": adapter.link(payable), "hold_ends_at": adapter.hold_ends_at(payable),
            "hold_over": payment.status == PaymentStatus.CANCELLED or adapter.hold_over(payable, timezone.now()),
            "failure_reason": decline_message(payment.failure_code) if payment.failure_code else "",
            "test_mode": gateway.test_mode()}


@login_required
@csp_update(STRIPE_CSP)
def payment_pay(request, pk: int):
    payment = _payment(request, pk)
    context = _context(payment)
    if payment.status in PAID_STATUSES or payment.processing or context["hold_over"]:
        return redirect("frontend:payment_status", pk=payment.pk)
    status = 200
    if context["test_mode"]:
        form = TestCardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.payment_confirm_test_card(member=payment.member, payment_id=payment.pk,
                                                   card_number=data["card_number"], exp_month=data["exp_month"],
                                                   exp_year=data["exp_year"], cvc=data["cvc"])
            except (Conflict, gateway.ProviderUnavailable) as exc:
                messages.error(request, exc.detail)
            return redirect("frontend:payment_status", pk=payment.pk)
        if request.method == "POST":
            status = 400
        context["form"] = form
    else:
        try:
            context["client_secret"] = services.payment_client_secret(payment=payment)
        except (Conflict, gateway.ProviderUnavailable) as exc:
            messages.error(request, exc.detail)
            return redirect("frontend:payment_status", pk=payment.pk)
        context.update({"publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                        "return_url": request.build_absolute_uri(reverse("frontend:payment_status",
                                                                         args=[payment.pk]))})
    return render(request, "frontend/payments/pay.html", context, status=status)


@login_required
def payment_status(request, pk: int):
    """Confirmed, failed (with the reason), or still processing; htmx polls the fragment until it settles."""
    payment = _payment(request, pk)
    context = _context(payment)
    context["waiting"] = payment.status == PaymentStatus.PENDING and not context["hold_over"] and (
        payment.processing or request.GET.get("redirect_status") in ("succeeded", "processing"))
    if getattr(request, "htmx", False):
        return render(request, "frontend/payments/status_panel.html", context)
    return render(request, "frontend/payments/status.html", context)


@login_required
def payment_receipt(request, pk: int):
    payment = _payment(request, pk)
    try:
        receipt = receipt_data(payment)
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("frontend:payment_status", pk=payment.pk)
    return render(request, "frontend/payments/receipt.html", {"section": "bookings", "receipt": receipt,
                                                              "payment": payment})


@login_required
def payment_list(request):
    member = member_for(request.user)
    payments = [] if member is None else list(selectors.payment_list_for_member(member=member)[:100])
    return render(request, "frontend/payments/list.html", {"section": "bookings", "payments": payments})

