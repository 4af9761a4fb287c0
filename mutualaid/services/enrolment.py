"""Enrolling a member or a dependant, paying the contribution, cancelling an unpaid enrolment, expiry and
renewal reminders. Cover starts on the later of the term start and the end of the waiting period, except for
a renewal without a gap (the same person covered by the same union's scheme of the same kind until the day
before this term starts), which has no waiting period.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.constraints import constraint_name, integrity_error
from portal.errors import Conflict, NotFound
from portal.notifications.services import notify
from portal.stats.models import Channel, ServiceKind
from portal.stats.services import service_record_add

from .. import eligibility
from ..models import (
    COVERING_STATUSES,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Scheme,
)
from ..models.enrolments import HOLDING_STATUSES
from ..signals import contribution_due
from ._common import local_today, now, refuse

ENROLMENT_UNIQUE = {"uniq_enrolment_self_per_scheme", "uniq_enrolment_dependant_per_scheme"}
RENEWAL_REMINDER_DAYS = 30


def is_renewal(*, scheme: Scheme, member_id: int, dependant_id: int | None) -> bool:
    """The same person was covered by the same union's scheme of the same kind until the day before (or after)
    this term starts: no gap, so no new waiting period."""
    return Enrolment.objects.filter(
        member_id=member_id, insured_dependant_id=dependant_id, status__in=COVERING_STATUSES,
        scheme__organisation_id=scheme.organisation_id, scheme__kind=scheme.kind,
        scheme__term_start__lt=scheme.term_start,
        scheme__term_end__gte=scheme.term_start - timedelta(days=1)).exclude(scheme=scheme).exists()


def cover_start(*, scheme: Scheme, enrolled_on, renewal: bool):
    if renewal:
        return scheme.term_start
    return max(scheme.term_start, enrolled_on + timedelta(days=scheme.waiting_period_days))


def enrolment_create(*, member, scheme_id: int, shares: int, dependant_id: int | None = None,
                     source: str = EnrolmentSource.INDIVIDUAL, roster_import=None,
                     check_window: bool = True) -> Enrolment:
    """Enrol `member` (or their dependant `dependant_id`) in a scheme with `shares` shares.

    Union-funded schemes are active at once; otherwise the enrolment awaits its contribution, paid through
    the payments module (a Payment is created in the same transaction) and activated by enrolment_mark_paid.
    """
    scheme = Scheme.objects.select_related("organisation").filter(pk=scheme_id).first()
    if scheme is None:
        raise ValidationError({"scheme": [_("This scheme does not exist.")]})
    dependant = None
    if dependant_id is not None:
        dependant = member.dependants.filter(pk=dependant_id).first()
        if dependant is None:
            raise ValidationError({"insured": [_("Choose yourself or one of your dependants.")]})
    today = local_today()
    held = Enrolment.objects.filter(scheme=scheme, member=member, insured_dependant=dependant,
                                    status__in=HOLDING_STATUSES).exists()
    verdict = eligibility.evaluate(scheme, member=member, dependant=dependant, today=today, shares=shares,
                                   already_enrolled=held)
    if not check_window:  # a roster confirmed after the window closed still enrols what it previewed
        verdict = eligibility.Verdict([r for r in verdict.reasons if r.code != "window"])
    if not verdict.eligible:
        refuse(verdict)
    renewal = is_renewal(scheme=scheme, member_id=member.pk, dependant_id=dependant_id)
    funded = scheme.union_funded
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                scheme=scheme, member=member, insured_dependant=dependant, shares=shares,
                status=EnrolmentStatus.ACTIVE if funded else EnrolmentStatus.PENDING_PAYMENT,
                cover_starts_on=cover_start(scheme=scheme, enrolled_on=today, renewal=renewal), renewal=renewal,
                amount_fen=scheme.price_fen(shares), currency=scheme.currency, source=source,
                roster_import=roster_import, activated_at=now() if funded else None)
            if funded:
                record_insured_service(enrolment)
            elif enrolment.amount_fen > 0:
                contribution_due.send(sender=Enrolment, enrolment=enrolment)
    except IntegrityError as exc:
        if constraint_name(exc) in ENROLMENT_UNIQUE:  # a concurrent second enrolment of the same person
            raise Conflict(_("This person is already enrolled in this scheme."), code="already_enrolled") from None
        raise integrity_error(exc) or exc from None
    if funded:
        _tell_active(enrolment)
    return enrolment


def record_insured_service(enrolment: Enrolment) -> None:
    """One insured person-time per enrolment (a term), counted on the day cover starts."""
    service_record_add(source=enrolment, day=enrolment.cover_starts_on, organisation=enrolment.member.organisation,
                       kind=ServiceKind.MUTUAL_AID,
                       channel=Channel.ONLINE if enrolment.source == EnrolmentSource.INDIVIDUAL else Channel.OFFLINE,
                       member=enrolment.member if enrolment.insures_self else None, persons=1)


def _tell_active(enrolment: Enrolment) -> None:
    notify(user=enrolment.member.user, kind="mutualaid_enrolment_active",
           link=reverse("frontend:aid_certificate", args=[enrolment.pk]),
           context={"scheme": enrolment.scheme.title, "insured": enrolment.insured_name, "shares": enrolment.shares,
                    "cover_start": enrolment.cover_starts_on.isoformat(),
                    "term_end": enrolment.scheme.term_end.isoformat()})


def _activate(enrolment_id: int, from_status: str) -> bool:
    try:
        with transaction.atomic():
            return bool(Enrolment.objects.filter(pk=enrolment_id, status=from_status).update(
                status=EnrolmentStatus.ACTIVE, activated_at=now(), cancelled_at=None))
    except IntegrityError:  # reviving a cancelled enrolment whose person has enrolled again meanwhile
        return False


def enrolment_mark_paid(*, enrolment_id: int) -> str:
    """The contribution arrived: cover is active. Returns "activated", "already" (retry-safe), "revived" (an
    enrolment cancelled meanwhile whose place is still free) or "refused" (the payment must be refunded)."""
    if _activate(enrolment_id, EnrolmentStatus.PENDING_PAYMENT):
        outcome = "activated"
    else:
        enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
        if enrolment is None:
            return "refused"
        if enrolment.status == EnrolmentStatus.ACTIVE:
            return "already"
        if enrolment.status != EnrolmentStatus.CANCELLED or not _activate(enrolment_id, EnrolmentStatus.CANCELLED):
            return "refused"
        outcome = "revived"
    enrolment = Enrolment.objects.select_related("scheme", "member__user", "member__organisation",
                                                 "insured_dependant").get(pk=enrolment_id)
    record_insured_service(enrolment)
    _tell_active(enrolment)
    return outcome


def enrolment_release(*, enrolment_id: int) -> bool:
    """The contribution can no longer arrive (window closed, payment cancelled): free the person's place."""
    return bool(Enrolment.objects.filter(pk=enrolment_id, status=EnrolmentStatus.PENDING_PAYMENT).update(
        status=EnrolmentStatus.CANCELLED, cancelled_at=now()))


def enrolment_cancel(*, member, enrolment_id: int) -> Enrolment:
    """The member withdraws an enrolment not yet paid for; a paid one stays (contributions are not refunded)."""
    enrolment = Enrolment.objects.filter(pk=enrolment_id, member=member).first()
    if enrolment is None:
        raise NotFound()
    if not enrolment_release(enrolment_id=enrolment.pk):
        raise Conflict(_("Only an enrolment awaiting payment can be cancelled."), code="not_pending")
    enrolment.refresh_from_db()
    return enrolment


def enrolments_expire_due() -> int:
    """Active enrolments whose term has ended become expired (claims for events inside the term still go)."""
    return Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, scheme__term_end__lt=local_today()).update(
        status=EnrolmentStatus.EXPIRED)


def renewal_reminders_send() -> int:
    """Remind once per enrolment, 30 days before its term ends; a conditional UPDATE claims each reminder, so
    two runs (or a retried task) never send it twice."""
    today = local_today()
    due = Enrolment.objects.filter(
        status=EnrolmentStatus.ACTIVE, renewal_reminded_at__isnull=True, scheme__term_end__gte=today,
        scheme__term_end__lte=today + timedelta(days=RENEWAL_REMINDER_DAYS)).select_related(
        "scheme", "member__user", "insured_dependant")[:1000]
    sent = 0
    for enrolment in due:
        if not Enrolment.objects.filter(pk=enrolment.pk, renewal_reminded_at__isnull=True).update(
                renewal_reminded_at=now()):
            continue
        notify(user=enrolment.member.user, kind="mutualaid_renewal_reminder", link=reverse("frontend:aid_mine"),
               context={"scheme": enrolment.scheme.title, "insured": enrolment.insured_name,
                        "term_end": enrolment.scheme.term_end.isoformat()})
        sent += 1
    return sent
