"""Applications to a programme batch and their steps: apply or be nominated, the union approves (taking a quota
place), the organisers confirm (placing the participant in the room block), check-in and check-out; or rejected,
withdrawn, cancelled (giving the place back).

Which place an approval takes: the nearest allocation to the member, starting with their grassroots union's and
going up the tree towards the organising union, that has a place free (for a member who is not a skilled worker,
a place outside the skilled workers' reservation), among the allocations the approving officer answers for.

A member cannot hold two overlapping active applications anywhere in the tree: the check runs under a lock on
the member's row, and a partial unique index backs the same-batch case.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.constraints import constraint_name
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.models import Member
from portal.members.permissions import Action
from portal.notifications.services import notify
from portal.stats.models import Channel, ServiceKind
from portal.stats.services import service_record_add

from .. import eligibility
from ..models import (
    ACTIVE_APPLICATION_STATUSES,
    PLACE_HOLDING_STATUSES,
    TRIP_STATUSES,
    Application,
    ApplicationAction,
    ApplicationStatus,
    ApplicationStep,
    Batch,
    BatchStatus,
    Programme,
    ProgrammeStatus,
    QuotaAllocation,
)
from .quotas import path_allocations, release_place, take_place

MAX_REASON = 300


def _context(application: Application) -> dict:
    batch = application.batch
    return {"programme": batch.programme.title, "sanatorium": batch.sanatorium.name,
            "start": batch.start_date.isoformat(), "end": batch.end_date.isoformat(),
            "reason": application.reason}


def _step(application: Application, action: str, actor, reason: str = "", kind: str | None = None) -> None:
    ApplicationStep.objects.create(application=application, action=action, actor=actor, reason=reason)
    if kind:
        notify(user=application.member.user, kind=kind, context=_context(application))


def _load(application_id: int) -> Application | None:
    return Application.objects.select_related(
        "member__organisation", "member__user", "batch__programme__organisation", "batch__sanatorium",
        "allocation").filter(pk=application_id).first()


def trip_years(*, member: Member, exclude_batch_id: int | None = None) -> list[int]:
    qs = Application.objects.filter(member=member, status__in=TRIP_STATUSES)
    if exclude_batch_id is not None:
        qs = qs.exclude(batch_id=exclude_batch_id)
    return [d.year for d in qs.values_list("batch__start_date", flat=True)]


def member_eligibility(*, member: Member, batch: Batch) -> eligibility.Eligibility:
    programme = batch.programme
    return eligibility.evaluate(
        rules=eligibility.rules_of(programme),
        profile=eligibility.profile_of(member, running_path=programme.organisation.path),
        batch_start=batch.start_date, trip_years=trip_years(member=member, exclude_batch_id=batch.pk))


def _refuse_ineligible(verdict: eligibility.Eligibility) -> None:
    if not verdict.eligible:
        raise Conflict(" ".join(r.message for r in verdict.reasons), code="not_eligible")


def _refuse_closed(batch: Batch) -> None:
    today = timezone.localdate()
    if batch.status != BatchStatus.SCHEDULED:
        raise Conflict(_("This batch has been cancelled."), code="cancelled")
    if batch.programme.status != ProgrammeStatus.OPEN:
        raise Conflict(_("This programme is not taking applications."), code="closed")
    if not (batch.applications_open <= today <= batch.applications_close):
        raise Conflict(_("Applications for this batch are open from %(open)s to %(close)s.")
                       % {"open": batch.applications_open, "close": batch.applications_close}, code="closed")


def free_places_for(*, member: Member, batch: Batch) -> int:
    """Places an approval could still take for this member (their unions' free places, as they may use them)."""
    allocations = QuotaAllocation.objects.filter(pk__in=path_allocations(batch_id=batch.pk, member=member))
    return sum(a.free if member.skilled_worker else a.free_for_others for a in allocations)


def _lock_member(member: Member) -> None:
    """Serialises every application change of one member (the overlap check across the whole tree)."""
    list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))


def _refuse_overlap(member: Member, batch: Batch) -> None:
    clash = Application.objects.filter(
        member=member, status__in=ACTIVE_APPLICATION_STATUSES, batch__start_date__lt=batch.end_date,
        batch__end_date__gt=batch.start_date).select_related("batch__programme").first()
    if clash is None:
        return
    if clash.batch_id == batch.pk:
        raise Conflict(_("You already have an application for this batch."), code="already_applied")
    raise Conflict(_("You already have an application for %(programme)s from %(start)s to %(end)s, which overlaps "
                     "these dates.") % {"programme": clash.batch.programme.title, "start": clash.batch.start_date,
                                        "end": clash.batch.end_date}, code="overlap")


def _batch_of(*, programme_id: int, batch_id: int) -> Batch:
    if not Programme.objects.filter(pk=programme_id).exclude(status=ProgrammeStatus.DRAFT).exists():
        raise NotFound(_("Programme not found."))
    batch = Batch.objects.select_related("programme__organisation", "sanatorium").filter(
        pk=batch_id, programme_id=programme_id).exclude(programme__status=ProgrammeStatus.DRAFT).first()
    if batch is None:
        raise ValidationError({"batch": [_("This batch is not part of this programme.")]})
    return batch


def application_submit(*, member: Member, programme_id: int, batch_id: int, nominated_by=None) -> Application:
    """Apply to a batch (or be nominated by an officer): eligibility, an open window, a place free for the
    member's unions, and no overlapping active application anywhere."""
    batch = _batch_of(programme_id=programme_id, batch_id=batch_id)
    _refuse_closed(batch)
    _refuse_ineligible(member_eligibility(member=member, batch=batch))
    if free_places_for(member=member, batch=batch) < 1:
        raise Conflict(_("No places of this batch are left for your union."), code="full")
    never_been = not Application.objects.filter(
        member=member, status__in=(ApplicationStatus.CHECKED_IN, ApplicationStatus.COMPLETED)).exists()
    try:
        with transaction.atomic():
            _lock_member(member)
            _refuse_overlap(member, batch)
            application = Application.objects.create(
                member=member, batch=batch, never_been=never_been, nominated=nominated_by is not None,
                nominated_by=nominated_by)
            if nominated_by is not None:
                _step(application, ApplicationAction.NOMINATE, nominated_by, kind="programme_nominated")
            else:
                _step(application, ApplicationAction.SUBMIT, member.user, kind="programme_submitted")
    except IntegrityError as exc:
        if constraint_name(exc) == "uniq_active_application_per_member_batch":
            raise Conflict(_("You already have an application for this batch."), code="already_applied") from None
        raise
    return application


def application_nominate(*, actor, member_id: int, batch_id: int) -> Application:
    """A union officer puts a member of their unions forward; it then waits for approval like any other."""
    member = Member.objects.select_related("organisation", "user").filter(pk=member_id).first()
    if member is None or not permissions.can(actor, Action.APPROVE_APPLICATION, member):
        raise ValidationError({"member": [_("No member of your unions has this id.")]})
    batch = Batch.objects.filter(pk=batch_id).values_list("programme_id", flat=True).first()
    if batch is None:
        raise ValidationError({"batch": [_("This batch does not exist.")]})
    return application_submit(member=member, programme_id=batch, batch_id=batch_id, nominated_by=actor)


def application_for_staff(*, actor, application_id: int) -> Application:
    """An application of a member in the actor's unions, or of a batch the actor's union organises; else 404."""
    application = _load(application_id)
    if application is None or not (permissions.can(actor, Action.APPROVE_APPLICATION, application)
                                   or permissions.can(actor, Action.APPROVE_APPLICATION,
                                                      application.batch.programme.organisation)):
        raise NotFound(_("Application not found."))
    return application


def _refuse_status(application: Application, *allowed: str) -> None:
    if application.status not in allowed:
        raise Conflict(_("This application is %(status)s; it cannot be changed this way.")
                       % {"status": application.get_status_display()}, code="wrong_status")


def _move(application: Application, old: str, **fields) -> None:
    """Change the status only if nobody changed it meanwhile (the caller's transaction rolls back otherwise)."""
    if not Application.objects.filter(pk=application.pk, status=old).update(**fields, updated_at=timezone.now()):
        raise Conflict(_("This application changed meanwhile; reload and try again."), code="changed")
    for name, value in fields.items():
        setattr(application, name, value)


def _release(application: Application) -> None:
    """Give back the quota place (and the room-block place once confirmed) the application held."""
    if application.status in PLACE_HOLDING_STATUSES and application.allocation_id:
        release_place(allocation_id=application.allocation_id, skilled=application.skilled_place)
    if application.status in (ApplicationStatus.CONFIRMED, ApplicationStatus.CHECKED_IN):
        Batch.objects.filter(pk=application.batch_id).update(participants=F("participants") - 1)


def application_approve(*, actor, application_id: int) -> Application:
    """The grassroots step: an officer of the member's unions approves, taking one quota place atomically."""
    application = _load(application_id)
    if application is None or not permissions.can(actor, Action.APPROVE_APPLICATION, application):
        raise NotFound(_("Application not found."))
    _refuse_status(application, ApplicationStatus.SUBMITTED)
    batch, member = application.batch, application.member
    if batch.status != BatchStatus.SCHEDULED:
        raise Conflict(_("This batch has been cancelled."), code="cancelled")
    within = permissions.subtree_paths(actor, Action.APPROVE_APPLICATION)
    with transaction.atomic():
        _lock_member(member)
        # Lock order everywhere: member, batch, application, allocation (never the other way round).
        list(Application.objects.select_for_update().filter(pk=application.pk).values_list("pk", flat=True))
        _refuse_ineligible(member_eligibility(member=member, batch=batch))
        skilled = member.skilled_worker
        taken = take_place(allocation_ids=path_allocations(batch_id=batch.pk, member=member, within=within),
                           skilled=skilled)
        if taken is None:
            raise Conflict(_("No places of this batch are free for %(org)s or the unions above it that you answer "
                             "for.") % {"org": member.organisation.name}, code="full")
        _move(application, ApplicationStatus.SUBMITTED, status=ApplicationStatus.APPROVED, allocation_id=taken,
              skilled_place=skilled)
        _step(application, ApplicationAction.APPROVE, actor, kind="programme_approved")
    return application


def application_reject(*, actor, application_id: int, reason: str) -> Application:
    """Refuse with a reason: the union before approving, or the organisers instead of confirming. A place
    already taken goes back to the allocation it came from."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the application is rejected.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": MAX_REASON}]})
    application = application_for_staff(actor=actor, application_id=application_id)
    _refuse_status(application, ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)
    old = application.status
    with transaction.atomic():
        _lock_member(application.member)
        _move(application, old, status=ApplicationStatus.REJECTED, reason=reason)
        application.status = old
        _release(application)
        application.status = ApplicationStatus.REJECTED
        _step(application, ApplicationAction.REJECT, actor, reason=reason, kind="programme_rejected")
    return application


def application_confirm(*, actor, application_id: int) -> Application:
    """The organisers' step: an officer of the running organisation confirms an approved application and the
    participant takes a place in the batch's room block."""
    application = application_for_staff(actor=actor, application_id=application_id)
    if not permissions.can(actor, Action.APPROVE_APPLICATION, application.batch.programme.organisation):
        raise NotFound(_("Application not found."))
    _refuse_status(application, ApplicationStatus.APPROVED)
    with transaction.atomic():
        if not Batch.objects.filter(pk=application.batch_id, status=BatchStatus.SCHEDULED,
                                    participants__lte=F("places") - 1).update(participants=F("participants") + 1):
            raise Conflict(_("The batch's room block is full or the batch is cancelled."), code="full")
        _move(application, ApplicationStatus.APPROVED, status=ApplicationStatus.CONFIRMED)
        _step(application, ApplicationAction.CONFIRM, actor, kind="programme_confirmed")
    return application


def application_withdraw(*, member: Member, application_id: int) -> Application:
    application = _load(application_id)
    if application is None or application.member_id != member.pk:
        raise NotFound()
    _refuse_status(application, ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED, ApplicationStatus.CONFIRMED)
    if application.batch.start_date <= timezone.localdate():
        raise Conflict(_("The batch has started; ask your union to cancel instead."), code="started")
    old = application.status
    with transaction.atomic():
        _lock_member(member)
        if old == ApplicationStatus.CONFIRMED:  # the batch row before the application's (lock order)
            list(Batch.objects.select_for_update().filter(pk=application.batch_id).values_list("pk", flat=True))
        _move(application, old, status=ApplicationStatus.WITHDRAWN)
        application.status = old
        _release(application)
        application.status = ApplicationStatus.WITHDRAWN
        _step(application, ApplicationAction.WITHDRAW, member.user)
    return application


def _refuse_not_on_site(actor, application: Application) -> None:
    batch = application.batch
    if not (permissions.can(actor, Action.CHECK_IN, batch.sanatorium)
            or permissions.can(actor, Action.APPROVE_APPLICATION, batch.programme.organisation)):
        raise NotFound(_("Application not found."))


def _application_on_site(*, actor, application_id: int) -> Application:
    application = _load(application_id)
    if application is None:
        raise NotFound(_("Application not found."))
    _refuse_not_on_site(actor, application)
    return application


def participant_check_in(*, actor, application_id: int) -> Application:
    """The sanatorium's staff (or the organisers) check a confirmed participant in during the batch."""
    application = _application_on_site(actor=actor, application_id=application_id)
    _refuse_status(application, ApplicationStatus.CONFIRMED)
    batch, today = application.batch, timezone.localdate()
    if not (batch.start_date <= today < batch.end_date):
        raise Conflict(_("Participants check in between %(start)s and %(end)s.")
                       % {"start": batch.start_date, "end": batch.end_date}, code="wrong_day")
    with transaction.atomic():
        _move(application, ApplicationStatus.CONFIRMED, status=ApplicationStatus.CHECKED_IN,
              checked_in_at=timezone.now())
        _step(application, ApplicationAction.CHECK_IN, actor)
    return application


def participant_check_out(*, actor, application_id: int) -> Application:
    """Check-out completes the trip and counts it: one stay record, flagged as a programme trip."""
    application = _application_on_site(actor=actor, application_id=application_id)
    _refuse_status(application, ApplicationStatus.CHECKED_IN)
    batch, member = application.batch, application.member
    with transaction.atomic():
        _move(application, ApplicationStatus.CHECKED_IN, status=ApplicationStatus.COMPLETED,
              checked_out_at=timezone.now())
        nights = max((timezone.localdate() - batch.start_date).days, 1) if timezone.localdate() < batch.end_date \
            else batch.nights
        service_record_add(source=application, day=timezone.localdate(), organisation=member.organisation,
                           kind=ServiceKind.STAY, channel=Channel.OFFLINE, facility=batch.sanatorium, member=member,
                           persons=1, nights=nights, programme_trip=True)
        _step(application, ApplicationAction.CHECK_OUT, actor)
    return application


def applications_cancel_for_batch(*, actor, batch: Batch, reason: str) -> int:
    """The batch is cancelled: every active application ends, and its places go back (inside the caller's
    transaction, with the batch row locked)."""
    active = list(Application.objects.select_related("member__user", "batch__programme", "batch__sanatorium")
                  .filter(batch=batch, status__in=ACTIVE_APPLICATION_STATUSES))
    for application in active:
        old = application.status
        _move(application, old, status=ApplicationStatus.CANCELLED, reason=reason[:MAX_REASON])
        application.status = old
        _release(application)
        application.status = ApplicationStatus.CANCELLED
        _step(application, ApplicationAction.CANCEL, actor, reason=reason, kind="programme_cancelled")
    return len(active)
