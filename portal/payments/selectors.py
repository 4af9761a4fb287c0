"""Reads of payments: a member's own, and staff lists scoped to their subtrees with totals."""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet, Sum

from portal.errors import NotFound
from portal.members import permissions
from portal.members.models import Member
from portal.members.permissions import Action

from .models import PAID_STATUSES, Payment
from .payables import ADAPTERS

_RELATED = ("member__user", "booking__session__activity__facility__organisation", "booking__session__venue",
            "stay__room_type__facility__organisation",
            "enrolment__scheme__organisation", "enrolment__insured_dependant", "enrolment__member")


def payment_list_for_member(*, member: Member) -> QuerySet[Payment]:
    return Payment.objects.filter(member=member).select_related(*_RELATED).prefetch_related("refunds").order_by(
        "-created_at", "-id")


def payment_get_for_member(*, member: Member | None, payment_id: int) -> Payment:
    payment = None if member is None else payment_list_for_member(member=member).filter(pk=payment_id).first()
    if payment is None:
        raise NotFound()
    return payment


def _scoped(actor, action: Action) -> QuerySet[Payment]:
    """Payments whose payable lies in the actor's subtrees (one `scope` per kind of payable)."""
    parts = [permissions.scope(actor, action, Payment.objects.all(), via=adapter.organisation_path)
             .order_by().values("pk") for adapter in ADAPTERS.values()]  # no ORDER BY inside a UNION
    ids = parts[0]
    for extra in parts[1:]:
        ids = ids.union(extra)
    return Payment.objects.filter(pk__in=ids)


def payments_for_staff(*, actor, facility=None, start: datetime | None = None, end: datetime | None = None,
                       status: str | None = None) -> QuerySet[Payment]:
    qs = _scoped(actor, Action.VIEW_BOOKINGS).select_related(*_RELATED)
    if facility is not None:
        # Any kind of payable at that facility (one condition per kind, OR-ed).
        qs = qs.filter(reduce(or_, (Q(**{adapter.facility_path: facility}) for adapter in ADAPTERS.values()
                                    if adapter.facility_path)))
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def payment_totals(qs: QuerySet[Payment]) -> dict:
    """Money actually received: member shares and subsidies of paid payments, and what was refunded."""
    paid = qs.filter(status__in=PAID_STATUSES)
    totals = paid.aggregate(count=Count("pk"), member_share_fen=Sum("member_share_fen"),
                            subsidy_fen=Sum("subsidy_fen"), refunded_fen=Sum("refunded_fen"))
    totals = {k: v or 0 for k, v in totals.items()}
    totals["net_fen"] = totals["member_share_fen"] - totals["refunded_fen"]
    return totals


def payment_get_for_staff(*, actor, payment_id: int) -> Payment:
    payment = Payment.objects.select_related(*_RELATED).filter(pk=payment_id).first()
    if payment is None or not permissions.can(actor, Action.VIEW_BOOKINGS, payment):
        raise NotFound()
    return payment
