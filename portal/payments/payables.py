"""What the payments module needs to know about each kind of payable thing, in one adapter per kind.

A paid palace booking and a sanatorium stay's member share are the kinds so far; a mutual-aid contribution plugs
in later with its own adapter and its own foreign key on Payment (models.PAYABLE_FIELDS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import rules, stay_rules
from bookings import services as booking_services
from bookings.models import Attendance, Booking, BookingStatus, RefundStatus, Stay, StayStatus
from bookings.services._common import local, session_context
from mutualaid import services as mutualaid_services
from mutualaid.models import Enrolment, EnrolmentStatus
from mutualaid.selectors import local_today
from portal.errors import Conflict

from .models import Payment


@dataclass(frozen=True)
class Amounts:
    amount_fen: int
    subsidy_fen: int
    currency: str

    @property
    def member_share_fen(self) -> int:
        return self.amount_fen - self.subsidy_fen


class BookingPayable:
    """A paid palace session: the hold is the booking's seat hold, the policy is its cancellation deadline."""

    field = "booking"
    # How staff lists reach the organisation that owns the payable (portal.members.permissions.scope).
    organisation_path = "booking__session__activity__facility__organisation"
    facility_path = "booking__session__activity__facility"

    @staticmethod
    def amounts(booking: Booking) -> Amounts:
        # Palace prices are what the member pays; subsidised stays will record the union's part here.
        return Amounts(amount_fen=booking.amount_fen, subsidy_fen=0, currency=booking.currency)

    @staticmethod
    def title(booking: Booking) -> str:
        session = booking.session
        return f"{session.activity.title} · {local(session.start)}"

    @staticmethod
    def facility(booking: Booking):
        return booking.session.activity.facility

    @staticmethod
    def awaiting_payment(booking: Booking) -> bool:
        return booking.status == BookingStatus.PENDING_PAYMENT

    @staticmethod
    def hold_ends_at(booking: Booking) -> datetime | None:
        return booking.hold_expires_at

    @staticmethod
    def hold_over_q(moment: datetime) -> Q:
        """hold_over() as a query over payments, for the sweep."""
        return Q(booking__hold_expires_at__lte=moment) | ~Q(booking__status=BookingStatus.PENDING_PAYMENT)

    @staticmethod
    def hold_over(booking: Booking, moment: datetime) -> bool:
        """The seat is no longer held for this payment (expired, cancelled, or the hold time has passed)."""
        return booking.status != BookingStatus.PENDING_PAYMENT or (
            booking.hold_expires_at is not None and booking.hold_expires_at <= moment)

    @staticmethod
    def paid(booking: Booking) -> str:
        """The payment succeeded: confirm the seat. Returns "" (on time), "confirmed" or "refunded" (late)."""
        try:
            booking_services.booking_mark_paid(booking_id=booking.pk)
            return ""
        except Conflict:
            pass
        if booking_services.booking_paid_late(booking_id=booking.pk):
            return "confirmed"
        Booking.objects.filter(pk=booking.pk).update(refund_status=RefundStatus.PENDING)
        return "refunded"

    @staticmethod
    def release(booking: Booking) -> None:
        """The payment can no longer arrive (cancelled at Stripe): free the seat now."""
        booking_services.hold_expire(booking_id=booking.pk, now_due=True)

    @staticmethod
    def refunded(booking: Booking) -> None:
        Booking.objects.filter(pk=booking.pk).exclude(refund_status=RefundStatus.REFUNDED).update(
            refund_status=RefundStatus.REFUNDED)

    @staticmethod
    def refund_due(booking: Booking) -> bool:
        return booking.refund_status == RefundStatus.PENDING

    @staticmethod
    def refund_due_q() -> Q:
        return Q(booking__refund_status=RefundStatus.PENDING)

    @staticmethod
    def refund_cleared(booking: Booking) -> None:
        Booking.objects.filter(pk=booking.pk, refund_status=RefundStatus.PENDING).update(
            refund_status=RefundStatus.NONE)

    @staticmethod
    def policy_refund_fen(booking: Booking, payment: Payment) -> tuple[int, str]:
        """The cancellation policy: in full before the deadline (or when the seat was never given), a
        percentage after it, nothing for a no-show. Returns (amount in fen, reason)."""
        remaining = payment.refundable_fen
        if booking.attendance == Attendance.NO_SHOW:
            return 0, _("No refund for a no-show.")
        if booking.status == BookingStatus.LATE_CANCELLED:
            percent = max(0, min(100, settings.PAYMENT_LATE_CANCEL_REFUND_PERCENT))
            return min(remaining, payment.member_share_fen * percent // 100), _(
                "Cancelled after the free cancellation deadline: %(p)d%% refunded.") % {"p": percent}
        if booking.status == BookingStatus.EXPIRED:
            return remaining, _("Paid after the seat hold had ended and the seat was taken.")
        if booking.status == BookingStatus.CANCELLED:
            if booking.session.status == "cancelled":
                return remaining, _("The session was cancelled.")
            return remaining, _("Cancelled before the free cancellation deadline.")
        return 0, ""

    @staticmethod
    def staff_refund_allowed(booking: Booking) -> str | None:
        """None when staff may refund; otherwise why not."""
        if booking.attendance == Attendance.NO_SHOW:
            return _("No refund for a no-show.")
        return None

    @staticmethod
    def notify_context(booking: Booking) -> dict:
        return session_context(booking.session)

    @staticmethod
    def link(booking: Booking) -> str:
        return f"/bookings/{booking.pk}/"

    @staticmethod
    def cancel_deadline(booking: Booking) -> datetime:
        return rules.cancel_deadline(booking.session.activity, booking.session)

    @staticmethod
    def member(booking: Booking):
        return booking.member


class StayPayable:
    """A sanatorium stay's member share: the hold is the stay's night hold, the subsidy the union's part."""

    field = "stay"
    organisation_path = "stay__room_type__facility__organisation"
    facility_path = "stay__room_type__facility"

    @staticmethod
    def amounts(stay: Stay) -> Amounts:
        return Amounts(amount_fen=stay.amount_fen, subsidy_fen=stay.subsidy_fen, currency=stay.currency)

    @staticmethod
    def title(stay: Stay) -> str:
        room_type = stay.room_type
        return f"{room_type.facility.name} · {room_type.name} · {stay.check_in:%Y-%m-%d}–{stay.check_out:%Y-%m-%d}"

    @staticmethod
    def facility(stay: Stay):
        return stay.room_type.facility

    @staticmethod
    def awaiting_payment(stay: Stay) -> bool:
        return stay.status == StayStatus.PENDING_PAYMENT

    @staticmethod
    def hold_ends_at(stay: Stay) -> datetime | None:
        return stay.hold_expires_at

    @staticmethod
    def hold_over_q(moment: datetime) -> Q:
        return Q(stay__hold_expires_at__lte=moment) | ~Q(stay__status=StayStatus.PENDING_PAYMENT)

    @staticmethod
    def hold_over(stay: Stay, moment: datetime) -> bool:
        return stay.status != StayStatus.PENDING_PAYMENT or (
            stay.hold_expires_at is not None and stay.hold_expires_at <= moment)

    @staticmethod
    def paid(stay: Stay) -> str:
        try:
            booking_services.stay_mark_paid(stay_id=stay.pk)
            return ""
        except Conflict:
            pass
        if booking_services.stay_paid_late(stay_id=stay.pk):
            return "confirmed"
        Stay.objects.filter(pk=stay.pk).update(refund_status=RefundStatus.PENDING)
        return "refunded"

    @staticmethod
    def release(stay: Stay) -> None:
        booking_services.stay_hold_expire(stay_id=stay.pk, now_due=True)

    @staticmethod
    def refunded(stay: Stay) -> None:
        Stay.objects.filter(pk=stay.pk).exclude(refund_status=RefundStatus.REFUNDED).update(
            refund_status=RefundStatus.REFUNDED)

    @staticmethod
    def refund_due(stay: Stay) -> bool:
        return stay.refund_status == RefundStatus.PENDING

    @staticmethod
    def refund_due_q() -> Q:
        return Q(stay__refund_status=RefundStatus.PENDING)

    @staticmethod
    def refund_cleared(stay: Stay) -> None:
        Stay.objects.filter(pk=stay.pk, refund_status=RefundStatus.PENDING).update(refund_status=RefundStatus.NONE)

    @staticmethod
    def policy_refund_fen(stay: Stay, payment: Payment) -> tuple[int, str]:
        """Members cancel only before the deadline, so a cancelled stay is refunded in full; so is one whose
        payment came after its rooms were released."""
        remaining = payment.refundable_fen
        if stay.status == StayStatus.CANCELLED:
            return remaining, _("Cancelled before the free cancellation deadline.")
        if stay.status == StayStatus.EXPIRED:
            return remaining, _("Paid after the room hold had ended and the rooms were taken.")
        return 0, ""

    @staticmethod
    def staff_refund_allowed(stay: Stay) -> str | None:
        return None

    @staticmethod
    def notify_context(stay: Stay) -> dict:
        return {"activity": f"{stay.room_type.facility.name} · {stay.room_type.name}",
                "facility": stay.room_type.facility.name, "start": f"{stay.check_in:%Y-%m-%d}"}

    @staticmethod
    def link(stay: Stay) -> str:
        return f"/stays/{stay.pk}/"

    @staticmethod
    def cancel_deadline(stay: Stay) -> datetime:
        from facilities.rooms import sanatorium_policy_get

        return stay_rules.cancel_deadline(check_in=stay.check_in,
                                          policy=sanatorium_policy_get(facility=stay.room_type.facility))

    @staticmethod
    def member(stay: Stay):
        return stay.member


class EnrolmentPayable:
    """A mutual-aid contribution: held for payment until the enrolment window closes; paying activates cover."""

    field = "enrolment"
    received_kind = "payment_received_contribution"
    organisation_path = "enrolment__scheme__organisation"
    facility_path = None  # schemes belong to a union, not to a facility

    @staticmethod
    def amounts(enrolment: Enrolment) -> Amounts:
        return Amounts(amount_fen=enrolment.amount_fen, subsidy_fen=0, currency=enrolment.currency)

    @staticmethod
    def title(enrolment: Enrolment) -> str:
        return f"{enrolment.scheme.title} · {enrolment.insured_name} · {enrolment.shares}"

    @staticmethod
    def facility(enrolment: Enrolment):
        return None

    @staticmethod
    def awaiting_payment(enrolment: Enrolment) -> bool:
        return enrolment.status == EnrolmentStatus.PENDING_PAYMENT

    @staticmethod
    def hold_ends_at(enrolment: Enrolment) -> datetime | None:
        return None  # held until the enrolment window closes (a date, shown with the scheme)

    @staticmethod
    def hold_over(enrolment: Enrolment, moment: datetime) -> bool:
        return enrolment.status != EnrolmentStatus.PENDING_PAYMENT or (
            local_today(moment) > enrolment.scheme.enrolment_closes_on)

    @staticmethod
    def hold_over_q(moment: datetime) -> Q:
        return Q(enrolment__scheme__enrolment_closes_on__lt=local_today(moment)) | ~Q(
            enrolment__status=EnrolmentStatus.PENDING_PAYMENT)

    @staticmethod
    def paid(enrolment: Enrolment) -> str:
        """Cover starts; a payment for an enrolment cancelled meanwhile revives it if the place is still free."""
        outcome = mutualaid_services.enrolment_mark_paid(enrolment_id=enrolment.pk)
        return {"activated": "", "already": "", "revived": "confirmed"}.get(outcome, "refunded")

    @staticmethod
    def release(enrolment: Enrolment) -> None:
        mutualaid_services.enrolment_release(enrolment_id=enrolment.pk)

    @staticmethod
    def refunded(enrolment: Enrolment) -> None:
        return None  # the payment's own refunded_fen records it; nothing on the enrolment changes

    @staticmethod
    def refund_due(enrolment: Enrolment) -> bool:
        return enrolment.status == EnrolmentStatus.CANCELLED

    @staticmethod
    def refund_due_q() -> Q:
        return Q(enrolment__status=EnrolmentStatus.CANCELLED) & Q(refunded_fen__lt=F("member_share_fen"))

    @staticmethod
    def refund_cleared(enrolment: Enrolment) -> None:
        return None

    @staticmethod
    def policy_refund_fen(enrolment: Enrolment, payment: Payment) -> tuple[int, str]:
        if enrolment.status == EnrolmentStatus.CANCELLED:
            return payment.refundable_fen, _("The enrolment was cancelled before cover started.")
        return 0, ""

    @staticmethod
    def staff_refund_allowed(enrolment: Enrolment) -> str | None:
        return None

    @staticmethod
    def notify_context(enrolment: Enrolment) -> dict:
        return {"activity": enrolment.scheme.title, "facility": enrolment.scheme.organisation.name,
                "start": enrolment.cover_starts_on.isoformat()}

    @staticmethod
    def link(enrolment: Enrolment) -> str:
        return reverse("frontend:aid_certificate", args=[enrolment.pk])

    @staticmethod
    def cancel_deadline(enrolment: Enrolment) -> datetime | None:
        return None

    @staticmethod
    def member(enrolment: Enrolment):
        return enrolment.member


ADAPTERS = {"booking": BookingPayable, "stay": StayPayable, "enrolment": EnrolmentPayable}


def adapter_for(payment: Payment):
    return next(ADAPTERS[f] for f in ADAPTERS if getattr(payment, f"{f}_id") is not None)


def now() -> datetime:
    return timezone.now()
