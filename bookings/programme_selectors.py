"""Reads of recuperation programmes: the member's list with places left and eligibility per batch, their
applications with timelines, and the staff views (programmes, quota tree, approval queue, rosters), scoped to the
staff member's subtrees. Each costs a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotFound, NotPermitted
from portal.members import permissions
from portal.members.models import Member
from portal.members.permissions import Action

from . import eligibility
from .models import (
    TRIP_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationStep,
    Batch,
    BatchStatus,
    Programme,
    ProgrammeStatus,
    QuotaAllocation,
)

ON_SITE_STATUSES = (ApplicationStatus.CONFIRMED, ApplicationStatus.CHECKED_IN, ApplicationStatus.COMPLETED)
ROSTER_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.CONFIRMED, ApplicationStatus.CHECKED_IN,
                   ApplicationStatus.COMPLETED)


@dataclass(frozen=True)
class BatchVerdict:
    """What the caller sees for one batch: places left overall and for their unions, and whether they may apply."""

    places_left: int
    places_for_you: int | None
    can_apply: bool
    eligible: bool
    reasons: tuple[eligibility.Reason, ...]
    application_id: int | None = None
    application_status: str | None = None


def programme_list(*, include_closed: bool = False) -> QuerySet[Programme]:
    """Programmes members see (open, or closed ones when asked), with their scheduled batches."""
    statuses = [ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED] if include_closed else [ProgrammeStatus.OPEN]
    batches = Batch.objects.filter(status=BatchStatus.SCHEDULED).select_related("sanatorium").annotate(
        used_total=Sum("allocations__used")).order_by("start_date", "id")
    return (Programme.objects.filter(status__in=statuses).select_related("organisation")
            .prefetch_related(Prefetch("batches", queryset=batches)).order_by("-year", "title", "id"))


def programme_get(*, programme_id: int) -> Programme:
    programme = programme_list(include_closed=True).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(_("Programme not found."))
    return programme


def batch_verdicts(*, member: Member | None, programmes: list[Programme]) -> dict[int, BatchVerdict]:
    """Per batch of the given programmes: four queries for any number of batches."""
    batches = [b for p in programmes for b in p.batches.all()]
    ids = [b.pk for b in batches]
    today = timezone.localdate()
    free: dict[int, int] = {}
    mine: dict[int, tuple[int, str]] = {}
    trips: list[tuple[int, int]] = []
    if member is not None and ids:
        path = member.organisation.path
        for alloc in QuotaAllocation.objects.filter(batch_id__in=ids).select_related("organisation"):
            if path.startswith(alloc.organisation.path):
                free[alloc.batch_id] = free.get(alloc.batch_id, 0) + (
                    alloc.free if member.skilled_worker else alloc.free_for_others)
        for pk, batch_id, status, start in Application.objects.filter(member=member).values_list(
                "pk", "batch_id", "status", "batch__start_date").order_by("created_at", "pk"):
            if batch_id in ids and status not in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED,
                                                  ApplicationStatus.CANCELLED):
                mine[batch_id] = (pk, status)
            if status in TRIP_STATUSES:
                trips.append((batch_id, start.year))
    out: dict[int, BatchVerdict] = {}
    for programme in programmes:
        for batch in programme.batches.all():
            places_left = max(batch.places - (getattr(batch, "used_total", 0) or 0), 0)
            if member is None:
                out[batch.pk] = BatchVerdict(places_left, None, False, False, (eligibility.Reason(
                    "sign_in", _("Sign in as a member to see whether you can apply.")),))
                continue
            verdict = eligibility.evaluate(
                rules=eligibility.rules_of(programme),
                profile=eligibility.profile_of(member, running_path=programme.organisation.path),
                batch_start=batch.start_date, trip_years=[y for b, y in trips if b != batch.pk])
            reasons = list(verdict.reasons)
            open_now = (programme.status == ProgrammeStatus.OPEN
                        and batch.applications_open <= today <= batch.applications_close)
            if not open_now:
                reasons.append(eligibility.Reason("closed", _("Applications are open from %(open)s to %(close)s.")
                                                  % {"open": batch.applications_open,
                                                     "close": batch.applications_close}))
            places_for_you = free.get(batch.pk, 0)
            if verdict.eligible and places_for_you < 1:
                reasons.append(eligibility.Reason("full", _("No places of this batch are left for your union.")))
            application = mine.get(batch.pk)
            if application is not None:
                reasons.append(eligibility.Reason("already_applied", _("You have applied for this batch.")))
            out[batch.pk] = BatchVerdict(places_left, places_for_you, not reasons, verdict.eligible,
                                         tuple(reasons), *(application or (None, None)))
    return out


def _applications() -> QuerySet[Application]:
    return Application.objects.select_related(
        "batch__programme__organisation", "batch__sanatorium", "member__organisation", "allocation__organisation",
        "nominated_by").prefetch_related(
        Prefetch("steps", queryset=ApplicationStep.objects.select_related("actor").order_by("created_at", "id")))


def application_list(*, member: Member, status: str | None = None) -> QuerySet[Application]:
    qs = _applications().filter(member=member)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def application_get(*, member: Member, application_id: int) -> Application:
    application = application_list(member=member).filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("Application not found."))
    return application


# --- staff ----------------------------------------------------------------------------------------------------

def _paths(actor, action: Action) -> list[str] | None:
    return permissions.subtree_paths(actor, action)


def _under(paths: list[str] | None, field: str) -> Q:
    """Rows whose `field` path lies in one of `paths`; None (a superuser) is every row. Never an empty Q():
    `Q() | x` is just `x` in Django, which would narrow instead of widen."""
    if paths is None:
        return Q(pk__isnull=False)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def programme_list_for_staff(*, actor) -> QuerySet[Programme]:
    """Programmes the actor's unions run, or hold places of (so their officers can allocate and approve)."""
    paths = _paths(actor, Action.APPROVE_APPLICATION)
    held = QuotaAllocation.objects.filter(_under(paths, "organisation__path")).values("batch__programme_id")
    return (Programme.objects.filter(_under(paths, "organisation__path") | Q(pk__in=held))
            .select_related("organisation").order_by("-year", "title", "id"))


def programme_get_for_staff(*, actor, programme_id: int) -> Programme:
    programme = programme_list_for_staff(actor=actor).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(_("Programme not found."))
    return programme


def batch_list_for_staff(*, actor, programme: Programme | None = None) -> QuerySet[Batch]:
    visible = programme_list_for_staff(actor=actor)
    if programme is not None and not visible.filter(pk=programme.pk).exists():
        raise NotPermitted()  # a list filter naming another union's programme is refused, not emptied
    # The sanatorium's own staff see the batches it hosts (for arrivals, check-in and the roster).
    on_site = _under(_paths(actor, Action.CHECK_IN), "sanatorium__organisation__path")
    qs = Batch.objects.filter(Q(programme__in=visible) | on_site).select_related(
        "programme__organisation", "sanatorium").annotate(used_total=Sum("allocations__used"))
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("start_date", "id")


def batch_get_for_staff(*, actor, batch_id: int) -> Batch:
    batch = batch_list_for_staff(actor=actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("Batch not found."))
    return batch


def _refuse_foreign_batch(actor, batch: Batch) -> None:
    if not batch_list_for_staff(actor=actor).filter(pk=batch.pk).exists():
        raise NotPermitted()


def allocation_list_for_staff(*, actor, batch: Batch | None = None) -> QuerySet[QuotaAllocation]:
    """The quota tree as the actor may see it: allocations of their unions (and below), in tree order."""
    qs = QuotaAllocation.objects.filter(_under(_paths(actor, Action.MANAGE_QUOTA), "organisation__path"))
    if batch is not None:
        _refuse_foreign_batch(actor, batch)
        qs = qs.filter(batch=batch)
    return qs.select_related("organisation", "batch__programme", "parent__organisation").order_by(
        "batch_id", "organisation__path")


def allocation_tree(*, actor, batch_id: int) -> list[QuotaAllocation]:
    """One batch's allocations the actor answers for, parents before children (`depth` for indenting)."""
    batch = batch_get_for_staff(actor=actor, batch_id=batch_id)
    return list(allocation_list_for_staff(actor=actor, batch=batch))


def application_queue(*, actor, batch: Batch | None = None, status: str | None = ApplicationStatus.SUBMITTED,
                      organisation=None) -> QuerySet[Application]:
    """Applications of members in the actor's unions plus those to batches the actor's unions organise.
    Members who have never been come first when the programme says so, then first come first served."""
    paths = _paths(actor, Action.APPROVE_APPLICATION)
    # The sanatorium's staff see only who is coming (confirmed onwards), not who applied.
    on_site = (_under(_paths(actor, Action.CHECK_IN), "batch__sanatorium__organisation__path")
               & Q(status__in=ON_SITE_STATUSES))
    qs = _applications().filter(_under(paths, "member__organisation__path")
                                | _under(paths, "batch__programme__organisation__path") | on_site)
    if batch is not None:
        _refuse_foreign_batch(actor, batch)
        qs = qs.filter(batch=batch)
    if status:
        qs = qs.filter(status=status)
    if organisation is not None:
        qs = qs.filter(member__organisation__path__startswith=organisation.path)
    return qs.order_by("batch__start_date", "batch_id", "-batch__programme__priority_never_been", "-never_been",
                       "created_at", "id")


def batch_roster(*, actor, batch_id: int) -> list[Application]:
    """Who goes on a batch (approved onwards), in the actor's view of it."""
    batch = batch_get_for_staff(actor=actor, batch_id=batch_id)
    return list(application_queue(actor=actor, batch=batch, status=None).filter(status__in=ROSTER_STATUSES)
                .order_by("member__organisation__path", "member__real_name", "id"))


def roster_rows(applications: list[Application]) -> tuple[list[str], list[list]]:
    header = [_("Name"), _("Member number"), _("Union"), _("Status"), _("Skilled worker"), _("Model worker"),
              _("Checked in"), _("Checked out")]
    rows = [[a.member.real_name, a.member.member_number, a.member.organisation.name, a.get_status_display(),
             _("yes") if a.member.skilled_worker else "", a.member.get_model_worker_level_display()
             if a.member.is_model_worker else "", a.checked_in_at, a.checked_out_at] for a in applications]
    return header, rows
