"""Staff console: payments per facility (filters, totals, CSV) and refunds with a reason.

Reads come from portal.payments.selectors (scoped to the staff member's subtrees), refunds from
portal.payments.services; the view only shapes the page.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.selectors import facility_list_for_staff
from portal.errors import Conflict, NotPermitted
from portal.members import permissions
from portal.members.permissions import Action
from portal.payments import gateway, selectors, services
from portal.payments.filters import StaffPaymentFilter
from portal.payments.payables import adapter_for

from ..access import staff_console
from ..forms import apply_service_errors
from ..payment_forms import RefundForm
from .console import _render

PAGE_SIZE = 50


def _filters(request) -> StaffPaymentFilter:
    filters = StaffPaymentFilter(request.GET or None)
    filters.filters["facility"].queryset = facility_list_for_staff(actor=request.user, action=Action.VIEW_BOOKINGS)
    return filters


def _payments_csv_rows(payments):
    """Header, then one row per payment (amounts in yuan with two decimals)."""
    yield [_("Payment"), _("Created"), _("Facility"), _("Booked item"), _("Member"), _("Member number"),
           _("Status"), _("Amount"), _("Union subsidy"), _("Member share"), _("Refunded"), _("Currency"),
           _("Payment reference")]
    for p in payments:
        adapter = adapter_for(p)
        facility = adapter.facility(p.payable)  # None for a mutual-aid contribution (no facility)
        yield [p.pk, timezone.localtime(p.created_at).strftime("%Y-%m-%d %H:%M"), facility.name if facility else "",
               adapter.title(p.payable), p.member.real_name, p.member.member_number, p.get_status_display(),
               f"{p.amount_fen / 100:.2f}", f"{p.subsidy_fen / 100:.2f}", f"{p.member_share_fen / 100:.2f}",
               f"{p.refunded_fen / 100:.2f}", p.currency, p.stripe_charge_id or p.stripe_payment_intent_id or ""]


def _cell(value):
    # Until the shared export helper lands: a cell Excel would read as a formula starts with a quote.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@staff_console(action=Action.VIEW_BOOKINGS)
def payments(request, fmt: str = "html"):
    filters = _filters(request)
    valid = filters.is_bound is False or filters.is_valid()
    qs = selectors.payments_for_staff(actor=request.user, **(filters.clean_bounds() if filters.is_bound and valid
                                                             else {}))
    if not valid:
        qs = qs.none()
    if fmt == "csv" and valid:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="payments.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        for row in _payments_csv_rows(qs.iterator(chunk_size=500)):
            writer.writerow([_cell(v) for v in row])
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"payment": p, "adapter": adapter_for(p), "title": adapter_for(p).title(p.payable),
             "facility": adapter_for(p).facility(p.payable),
             "can_refund": p.refundable_fen > 0 and permissions.can(request.user, Action.REFUND_PAYMENT, p)}
            for p in page]
    return _render(request, "frontend/console/payments.html", {
        "filters": filters, "form": filters.form, "page": page, "rows": rows, "totals": selectors.payment_totals(qs),
        "query": _without_page(request),
    }, key="payments", status=200 if valid else 400)


@staff_console(action=Action.REFUND_PAYMENT)
def payment_refund(request, pk: int):
    payment = selectors.payment_get_for_staff(actor=request.user, payment_id=pk)
    adapter = adapter_for(payment)
    policy_fen, policy_reason = adapter.policy_refund_fen(payment.payable, payment)
    form = RefundForm(request.POST or None, max_fen=payment.refundable_fen, initial={
        "amount_yuan": f"{(policy_fen or payment.refundable_fen) / 100:.2f}", "reason": policy_reason})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                refund, created = services.refund_by_staff(actor=request.user, payment_id=payment.pk,
                                                           amount_fen=form.amount_fen,
                                                           reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                if "amount_fen" in getattr(exc, "message_dict", {}):
                    exc = ValidationError({"amount_yuan": exc.message_dict["amount_fen"]})
                apply_service_errors(form, exc)
            except (Conflict, NotPermitted, gateway.ProviderUnavailable) as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Refunded %(amount)s.") % {"amount": f"¥{refund.amount_fen / 100:,.2f}"}
                                 if created else _("This refund had already been made."))
                return redirect("frontend:console:payments")
        status = 400
    return _render(request, "frontend/console/payment_refund.html", {
        "payment": payment, "form": form, "title": adapter.title(payment.payable),
        "facility": adapter.facility(payment.payable), "policy_reason": policy_reason,
    }, key="payments", status=status)
