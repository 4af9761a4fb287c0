"""Sanatorium stays: quote, book (every night in one transaction), cancel, pay, expire, check in and out.

Lock order, everywhere: the member's row (only when booking: it serialises one member's own requests, so
the yearly free nights and the no-overlap rule hold), then the range's room nights in date order
(facilities.inventory). A stay's status moves only by conditional UPDATE from the status it was read in,
so a cancellation, an expiry and a payment racing on the same stay release or confirm it exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from facilities.inventory import NightsUnavailable, room_nights_release, room_nights_take
from facilities.models import FacilityKind, FacilityStatus, RoomType, SanatoriumPolicy
from facilities.room_cache import room_type_for_booking
from portal.errors import Conflict, NotFound, NotPermitted
from portal.members import permissions
from portal.members.models import Dependant, Member
from portal.members.permissions import Action
from portal.notifications.services import notify
from portal.stats.models import Channel, ServiceKind
from portal.stats.services import service_record_add

from .. import stay_rules
from ..models import (
    MAX_ROOMS_PER_STAY,
    NIGHT_HOLDING_STATUSES,
    YEAR_COUNTING_STATUSES,
    RefundStatus,
    Stay,
    StayGuest,
    StayStatus,
)
from ..signals import stay_payment_due
from ..stay_pricing import StayPrice, stay_price
from ._common import hold_until, now


@dataclass(frozen=True)
class GuestLine:
    name: str
    dependant: Dependant | None  # None: the member themself


@dataclass(frozen=True)
class StayQuote:
    """What a stay would be: checked dates, rooms and guests, and its price split (nothing written)."""

    room_type: RoomType
    policy: SanatoriumPolicy
    check_in: date
    check_out: date
    rooms: int
    guests: list[GuestLine]
    price: StayPrice

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @property
    def cancel_deadline(self) -> datetime:
        return stay_rules.cancel_deadline(check_in=self.check_in, policy=self.policy)


def _policy(room_type: RoomType) -> SanatoriumPolicy:
    """The sanatorium's policy (read with the room type), or the defaults when staff never set one."""
    facility = room_type.facility
    try:
        return facility.stay_policy
    except SanatoriumPolicy.DoesNotExist:
        return SanatoriumPolicy(facility=facility)


def _room_type(room_type_id: int) -> RoomType:
    room_type = room_type_for_booking(room_type_id=room_type_id)
    if (room_type is None or not room_type.active or room_type.facility.kind != FacilityKind.SANATORIUM
            or room_type.facility.status != FacilityStatus.OPEN):
        raise ValidationError({"room_type": [_("This room type does not exist or cannot be booked.")]})
    return room_type


def _check_dates(errors: dict, *, check_in: date, check_out: date, policy: SanatoriumPolicy) -> None:
    today = stay_rules.today()
    if check_in < today:
        errors["check_in"] = [_("The check-in date has passed.")]
    elif check_in > stay_rules.last_bookable_night(policy):
        errors["check_in"] = [_("This sanatorium takes bookings at most %(n)d days ahead.")
                              % {"n": policy.booking_horizon_days}]
    if check_out <= check_in:
        errors["check_out"] = [_("The check-out date must be after the check-in date.")]
    elif (check_out - check_in).days > policy.max_stay_nights:
        errors["check_out"] = [_("A stay here lasts at most %(n)d nights.") % {"n": policy.max_stay_nights}]


def _guests(errors: dict, *, member: Member, include_member: bool, dependant_ids: Sequence[int]) -> list[GuestLine]:
    ids = list(dependant_ids)
    if not include_member:
        # Stays are the member's own benefit: they come along (their dependants cannot go alone).
        errors["guests"] = [_("You must be one of the guests.")]
        return []
    if len(set(ids)) != len(ids):
        errors["guests"] = [_("Each dependant can be listed only once.")]
        return []
    own = {d.pk: d for d in Dependant.objects.filter(member=member, pk__in=ids)} if ids else {}
    strangers = [i for i in ids if i not in own]
    if strangers:
        errors["guests"] = [_("Only you and your own dependants can stay; these are not your dependants: "
                              "%(ids)s.") % {"ids": ", ".join(str(i) for i in strangers)}]
        return []
    return [GuestLine(name=member.real_name, dependant=None)] + [GuestLine(name=own[i].name, dependant=own[i])
                                                                  for i in ids]


def _free_nights_used(member: Member, year: int) -> int:
    """The member's free nights already used in stays that start in `year` (anywhere)."""
    used = Stay.objects.filter(member=member, status__in=YEAR_COUNTING_STATUSES, check_in__year=year).aggregate(
        n=Sum("member_free_nights"))["n"]
    return used or 0


def _price(room_type: RoomType, policy: SanatoriumPolicy, *, check_in: date, nights: int, companions: int,
           free_nights_used: int) -> StayPrice:
    return stay_price(nights=nights, companions=companions, member_price_fen=room_type.member_price_fen,
                      companion_price_fen=room_type.companion_price_fen,
                      free_nights_per_year=policy.free_member_nights_per_year, free_nights_used=free_nights_used,
                      member_subsidy_percent=policy.member_subsidy_percent,
                      companion_subsidy_percent=policy.companion_subsidy_percent)


def _member_year(member: Member, *, check_in: date, check_out: date) -> tuple[int, Stay | None]:
    """One read of the member's own stays: free nights used in check-in's year, and a stay holding nights that
    overlap [check_in, check_out) (or None)."""
    rows = Stay.objects.filter(member=member, status__in=YEAR_COUNTING_STATUSES).filter(
        Q(check_in__year=check_in.year) | Q(check_in__lt=check_out, check_out__gt=check_in)).only(
        "check_in", "check_out", "status", "member_free_nights")
    used, overlapping = 0, None
    for stay in rows:
        if stay.check_in.year == check_in.year:
            used += stay.member_free_nights
        if (overlapping is None and stay.status in NIGHT_HOLDING_STATUSES and stay.check_in < check_out
                and stay.check_out > check_in):
            overlapping = stay
    return used, overlapping


def _checked(*, member: Member, room_type_id: int, check_in: date, check_out: date, rooms: int,
             dependant_ids: Sequence[int], include_member: bool) -> tuple[RoomType, SanatoriumPolicy, list[GuestLine]]:
    """Every rule of a stay request but the price; all bad fields in one ValidationError."""
    if not member.is_verified:
        raise NotPermitted(_("Your membership must be verified before you can book."), code="not_verified")
    room_type = _room_type(room_type_id)
    policy = _policy(room_type)
    errors: dict[str, list[str]] = {}
    _check_dates(errors, check_in=check_in, check_out=check_out, policy=policy)
    guests = _guests(errors, member=member, include_member=include_member, dependant_ids=dependant_ids)
    if not 1 <= rooms <= MAX_ROOMS_PER_STAY:
        errors["rooms"] = [_("Book between 1 and %(n)d rooms.") % {"n": MAX_ROOMS_PER_STAY}]
    elif guests and rooms > len(guests):
        errors["rooms"] = [_("Each room needs at least one guest: book at most %(n)d rooms.") % {"n": len(guests)}]
    elif guests and len(guests) > rooms * room_type.beds:
        errors["guests"] = [_("%(guests)d guests do not fit in %(rooms)d rooms of %(beds)d beds: book more rooms.")
                            % {"guests": len(guests), "rooms": rooms, "beds": room_type.beds}]
    if errors:
        raise ValidationError(errors)
    return room_type, policy, guests


def stay_quote(*, member: Member, room_type_id: int, check_in: date, check_out: date, rooms: int,
               dependant_ids: Sequence[int] = (), include_member: bool = True) -> StayQuote:
    """Check a stay request and price it, writing nothing: every bad field is reported in one ValidationError.
    The member must be a guest (`include_member`); `dependant_ids` are the companions (their own dependants)."""
    room_type, policy, guests = _checked(member=member, room_type_id=room_type_id, check_in=check_in,
                                         check_out=check_out, rooms=rooms, dependant_ids=dependant_ids,
                                         include_member=include_member)
    price = _price(room_type, policy, check_in=check_in, nights=(check_out - check_in).days,
                   companions=len(guests) - 1, free_nights_used=_free_nights_used(member, check_in.year))
    return StayQuote(room_type=room_type, policy=policy, check_in=check_in, check_out=check_out, rooms=rooms,
                     guests=guests, price=price)


def _lock_member(member: Member) -> None:
    list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))


def fen_label(fen: int, currency: str = "CNY") -> str:
    symbol = "¥" if currency in ("CNY", "") else f"{currency} "
    return f"{symbol}{fen // 100:,}.{fen % 100:02d}"


def _context(stay: Stay) -> dict:
    return {"facility": stay.room_type.facility.name, "room_type": stay.room_type.name, "rooms": stay.rooms,
            "check_in": date_format(stay.check_in, "Y-m-d"), "check_out": date_format(stay.check_out, "Y-m-d"),
            "share": fen_label(stay.member_share_fen, stay.currency), "subsidy": fen_label(stay.subsidy_fen,
                                                                                         stay.currency)}


def _link(stay: Stay) -> str:
    return f"/stays/{stay.pk}/"


def stay_create(*, member: Member, room_type_id: int, check_in: date, check_out: date, rooms: int,
                dependant_ids: Sequence[int] = (), include_member: bool = True, channel: str = "online") -> Stay:
    """Book a stay: every night of [check_in, check_out) is taken in one transaction, or none. With a member
    share to pay the stay holds its nights for BOOKING_HOLD_MINUTES (pending_payment); else it is confirmed."""
    room_type, policy, guests = _checked(member=member, room_type_id=room_type_id, check_in=check_in,
                                         check_out=check_out, rooms=rooms, dependant_ids=dependant_ids,
                                         include_member=include_member)
    nights = (check_out - check_in).days
    moment = now()
    with transaction.atomic():
        _lock_member(member)
        used, overlapping = _member_year(member, check_in=check_in, check_out=check_out)
        if overlapping is not None:
            raise Conflict(_("You already have a stay from %(a)s to %(b)s; stays cannot overlap.") % {
                "a": date_format(overlapping.check_in, "Y-m-d"), "b": date_format(overlapping.check_out, "Y-m-d")},
                errors={"check_in": [_("You already have a stay on these dates.")]}, code="overlap")
        # Priced under the lock: a concurrent stay of the same member cannot use the same free nights.
        price = _price(room_type, policy, check_in=check_in, nights=nights, companions=len(guests) - 1,
                       free_nights_used=used)
        room_nights_take(room_type_id=room_type.pk, check_in=check_in, check_out=check_out, rooms=rooms)
        pay = price.member_share_fen > 0
        stay = Stay.objects.create(
            member=member, room_type=room_type, check_in=check_in, check_out=check_out, rooms=rooms,
            status=StayStatus.PENDING_PAYMENT if pay else StayStatus.CONFIRMED,
            hold_expires_at=hold_until(moment) if pay else None, amount_fen=price.amount_fen,
            subsidy_fen=price.subsidy_fen, member_free_nights=price.member_free_nights,
            currency=room_type.currency, channel=channel)
        stay_guests = StayGuest.objects.bulk_create([
            StayGuest(stay=stay, is_member=g.dependant is None, dependant=g.dependant, name=g.name, nights=nights)
            for g in guests])
        stay._prefetched_objects_cache = {"guests": stay_guests}  # the caller shows them without a query
        if pay:
            stay_payment_due.send(sender=Stay, stay=stay)
        else:
            Stay.payment.related.set_cached_value(stay, None)  # nothing to pay: no Payment row to look up
            notify(user=member.user, kind="stay_confirmed", context=_context(stay), link=_link(stay))
    return stay


def _member_stay(*, member: Member, stay_id: int) -> Stay:
    stay = Stay.objects.select_related("room_type__facility__organisation", "member__user").filter(
        pk=stay_id, member=member).first()
    if stay is None:
        raise NotFound()
    return stay


def stay_cancel(*, member: Member, stay_id: int) -> Stay:
    """Cancel before the sanatorium's deadline: the nights are freed at once and anything paid is refunded
    (by the payments sweep, through the stay's payment)."""
    stay = _member_stay(member=member, stay_id=stay_id)
    if stay.status not in (StayStatus.PENDING_PAYMENT, StayStatus.CONFIRMED):
        raise Conflict(_("This stay is already cancelled or under way."), code="not_active")
    deadline = stay_rules.cancel_deadline(check_in=stay.check_in, policy=_policy(stay.room_type))
    if now() >= deadline:
        raise Conflict(_("Free cancellation ended on %(at)s; contact the sanatorium.") % {
            "at": date_format(deadline.astimezone(stay_rules.LOCAL_TZ), "Y-m-d H:i")}, code="deadline")
    fields = {"status": StayStatus.CANCELLED, "cancelled_at": now(), "hold_expires_at": None}
    if stay.paid_at is not None:
        fields["refund_status"] = RefundStatus.PENDING
    with transaction.atomic():
        if not Stay.objects.filter(pk=stay.pk, status=stay.status).update(**fields):
            raise Conflict(_("This stay changed meanwhile; reload and try again."), code="changed")
        room_nights_release(room_type_id=stay.room_type_id, check_in=stay.check_in, check_out=stay.check_out,
                            rooms=stay.rooms)
        notify(user=member.user, kind="stay_cancelled", context=_context(stay), link=_link(stay))
    stay.refresh_from_db()
    return stay


def stay_mark_paid(*, stay_id: int) -> Stay:
    """Called by the payments service once the member has paid: the held stay is confirmed."""
    moment = now()
    with transaction.atomic():
        updated = Stay.objects.filter(pk=stay_id, status=StayStatus.PENDING_PAYMENT).update(
            status=StayStatus.CONFIRMED, paid_at=moment, hold_expires_at=None)
        stay = Stay.objects.select_related("room_type__facility", "member__user").get(pk=stay_id)
        if not updated and stay.status != StayStatus.CONFIRMED:
            raise Conflict(_("The rooms were released before the payment arrived; it will be refunded."),
                           code="hold_expired")
        if updated:
            notify(user=stay.member.user, kind="stay_confirmed", context=_context(stay), link=_link(stay))
    return stay


def stay_paid_late(*, stay_id: int) -> bool:
    """A payment arrived after the hold ended: take the nights again if they are still free (True), else False
    (the payments service then refunds). A stay already confirmed and paid answers True (retry-safe)."""
    stay = Stay.objects.select_related("room_type__facility__stay_policy", "member__user").filter(
        pk=stay_id).first()
    if stay is None:
        return False
    if stay.status == StayStatus.CONFIRMED and stay.paid_at is not None:
        return True
    if stay.status != StayStatus.EXPIRED or stay.check_in < stay_rules.today():
        return False
    try:
        with transaction.atomic():
            _lock_member(stay.member)
            used, overlapping = _member_year(stay.member, check_in=stay.check_in, check_out=stay.check_out)
            allowance = _policy(stay.room_type).free_member_nights_per_year
            if overlapping is not None or used + stay.member_free_nights > allowance:
                return False  # booked again meanwhile, or its free nights went to another stay: refunded
            room_nights_take(room_type_id=stay.room_type_id, check_in=stay.check_in, check_out=stay.check_out,
                             rooms=stay.rooms)
            if not Stay.objects.filter(pk=stay_id, status=StayStatus.EXPIRED).update(
                    status=StayStatus.CONFIRMED, paid_at=now(), hold_expires_at=None):
                raise NightsUnavailable(code="changed")  # roll the take back
            notify(user=stay.member.user, kind="stay_confirmed", context=_context(stay), link=_link(stay))
            return True
    except NightsUnavailable:
        return False


def stay_hold_expire(*, stay_id: int, now_due: bool = False) -> bool:
    """Release one expired unpaid hold; False when it was paid, cancelled or already released (retry-safe).
    `now_due` releases it before its time (the payment was cancelled at Stripe and can no longer arrive)."""
    due = {} if now_due else {"hold_expires_at__lte": now()}
    with transaction.atomic():
        stay = Stay.objects.select_related("room_type__facility", "member__user").filter(pk=stay_id).first()
        if stay is None or not Stay.objects.filter(pk=stay_id, status=StayStatus.PENDING_PAYMENT, **due).update(
                status=StayStatus.EXPIRED):
            return False
        room_nights_release(room_type_id=stay.room_type_id, check_in=stay.check_in, check_out=stay.check_out,
                            rooms=stay.rooms)
        notify(user=stay.member.user, kind="stay_hold_expired", context=_context(stay), link=_link(stay))
    return True


def stay_holds_expire_due() -> int:
    """The beat sweep: every unpaid hold whose time is up gives its nights back."""
    ids = list(Stay.objects.filter(status=StayStatus.PENDING_PAYMENT, hold_expires_at__lte=now())
               .values_list("pk", flat=True)[:1000])
    return sum(stay_hold_expire(stay_id=pk) for pk in ids)


# --- staff: arrivals and departures ----------------------------------------------------------------------------

def _staff_stay(actor, stay_id: int) -> Stay:
    stay = Stay.objects.select_related("room_type__facility__organisation", "member__organisation",
                                       "member__user").filter(pk=stay_id).first()
    if stay is None or not permissions.can(actor, Action.CHECK_IN, stay):
        raise NotFound()
    return stay


def stay_check_in(*, actor, stay_id: int) -> Stay:
    """The guests have arrived: on the day of check-in or later (before check-out), a confirmed stay only."""
    stay = _staff_stay(actor, stay_id)
    today = stay_rules.today()
    if stay.status != StayStatus.CONFIRMED:
        raise Conflict(_("Only a confirmed stay can be checked in (this one is %(status)s).")
                       % {"status": stay.get_status_display()}, code="not_confirmed")
    if not stay.check_in <= today < stay.check_out:
        raise Conflict(_("This stay runs from %(a)s to %(b)s; check in on those days.") % {
            "a": date_format(stay.check_in, "Y-m-d"), "b": date_format(stay.check_out, "Y-m-d")}, code="not_today")
    if not Stay.objects.filter(pk=stay.pk, status=StayStatus.CONFIRMED).update(status=StayStatus.CHECKED_IN,
                                                                              checked_in_at=now()):
        raise Conflict(_("This stay changed meanwhile; reload and try again."), code="changed")
    stay.refresh_from_db()
    return stay


def stay_check_out(*, actor, stay_id: int) -> Stay:
    """The guests have left: the stay is done and each guest counts once in the statistics (kind stay, with
    their nights), for the member's union."""
    stay = _staff_stay(actor, stay_id)
    if stay.status != StayStatus.CHECKED_IN:
        raise Conflict(_("Only a checked-in stay can be checked out."), code="not_checked_in")
    with transaction.atomic():
        if not Stay.objects.filter(pk=stay.pk, status=StayStatus.CHECKED_IN).update(
                status=StayStatus.CHECKED_OUT, checked_out_at=now()):
            raise Conflict(_("This stay changed meanwhile; reload and try again."), code="changed")
        day = stay_rules.today()
        for guest in stay.guests.all():
            service_record_add(source=guest, day=day, organisation=stay.member.organisation, kind=ServiceKind.STAY,
                               channel=Channel.ONLINE if stay.channel == "online" else Channel.OFFLINE,
                               facility=stay.room_type.facility, member=stay.member if guest.is_member else None,
                               nights=guest.nights)
    stay.refresh_from_db()
    return stay
