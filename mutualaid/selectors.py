"""Reads of mutual aid: a member's schemes (with eligibility), enrolments and claims; staff lists scoped to
the officer's subtrees; the scheme dashboard; the public certificate check. Constant queries per list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotFound
from portal.members import permissions
from portal.members.models import Member, Organisation, Role, RoleGrant, User
from portal.members.permissions import Action

from . import eligibility
from .models import (
    COVERING_STATUSES,
    PAYING_CLAIM_STATUSES,
    Claim,
    ClaimDocument,
    ClaimStatus,
    Enrolment,
    EnrolmentStatus,
    Scheme,
    SchemeStatus,
)
from .models.enrolments import HOLDING_STATUSES

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_ENROLMENT_RELATED = ("scheme__organisation", "member__organisation", "insured_dependant", "payment")


def local_today(moment: datetime | None = None) -> date:
    return (moment or timezone.now()).astimezone(LOCAL_TZ).date()


# --- member side ---------------------------------------------------------------------------------------------

def scheme_list_for_member(*, kind: str | None = None) -> QuerySet[Scheme]:
    """Schemes a member can see: open ones, and closed ones whose term is still running (cover in force)."""
    qs = Scheme.objects.select_related("organisation").filter(
        Q(status=SchemeStatus.OPEN) | Q(status=SchemeStatus.CLOSED, term_end__gte=local_today()))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("enrolment_closes_on", "title", "id")


def scheme_get_for_member(*, scheme_id: int) -> Scheme:
    scheme = scheme_list_for_member().filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound()
    return scheme


@dataclass(frozen=True)
class InsuredVerdict:
    dependant_id: int | None  # None: the member themself
    name: str
    verdict: eligibility.Verdict


def scheme_verdicts(*, member: Member | None, schemes: list[Scheme], shares: int | None = None
                    ) -> dict[int, list[InsuredVerdict]]:
    """For each scheme: may the member enrol themself, and each dependant, with `shares` shares (and why not)?
    Two queries whatever the number of schemes."""
    if member is None:
        return {}
    dependants = list(member.dependants.all())
    held = set(Enrolment.objects.filter(member=member, scheme__in=schemes, status__in=HOLDING_STATUSES)
               .values_list("scheme_id", "insured_dependant_id"))
    today = local_today()
    result = {}
    for scheme in schemes:
        rows = [InsuredVerdict(None, member.real_name, eligibility.evaluate(
            scheme, member=member, today=today, shares=shares, already_enrolled=(scheme.pk, None) in held))]
        rows += [InsuredVerdict(d.pk, d.name, eligibility.evaluate(
            scheme, member=member, dependant=d, today=today, shares=shares,
            already_enrolled=(scheme.pk, d.pk) in held)) for d in dependants]
        result[scheme.pk] = rows
    return result


def enrolment_list(*, member: Member, status: str | None = None, scheme_id: int | None = None
                   ) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.filter(member=member).select_related(*_ENROLMENT_RELATED)
    if status:
        qs = qs.filter(status=status)
    if scheme_id:
        qs = qs.filter(scheme_id=scheme_id)
    return qs.order_by("-created_at", "-id")


def enrolment_get(*, member: Member, enrolment_id: int) -> Enrolment:
    enrolment = enrolment_list(member=member).filter(pk=enrolment_id).first()
    if enrolment is None:
        raise NotFound()
    return enrolment


def _claims() -> QuerySet[Claim]:
    return Claim.objects.select_related(
        "enrolment__scheme__organisation", "enrolment__member__organisation", "enrolment__member__user",
        "enrolment__insured_dependant").prefetch_related("documents", "steps__actor")


def claim_list(*, member: Member, status: str | None = None) -> QuerySet[Claim]:
    qs = _claims().filter(enrolment__member=member)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def claim_get(*, member: Member, claim_id: int) -> Claim:
    claim = claim_list(member=member).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def claim_document_get(*, member: Member, claim_id: int, document_id: int) -> ClaimDocument:
    """A document of the member's own claim; anybody else's is NotFound (never 403: no existence leak)."""
    document = ClaimDocument.objects.filter(pk=document_id, claim_id=claim_id,
                                            claim__enrolment__member=member).first()
    if document is None:
        raise NotFound()
    return document


def paid_this_term_fen(*, enrolment_id: int, exclude_claim_id: int | None = None) -> int:
    """What approved and paid claims under this enrolment (one enrolment = one term) add up to."""
    qs = Claim.objects.filter(enrolment_id=enrolment_id, status__in=PAYING_CLAIM_STATUSES)
    if exclude_claim_id is not None:
        qs = qs.exclude(pk=exclude_claim_id)
    return qs.aggregate(total=Coalesce(Sum("approved_amount_fen"), 0))["total"]


def event_claimed(*, enrolment_id: int, event_type: str, event_on: date, exclude_claim_id: int | None = None) -> bool:
    qs = Claim.objects.filter(enrolment_id=enrolment_id, event_type=event_type, event_on=event_on).exclude(
        status=ClaimStatus.REJECTED)
    if exclude_claim_id is not None:
        qs = qs.exclude(pk=exclude_claim_id)
    return qs.exists()


def mask_name(name: str) -> str:
    """The first character and stars (张**): enough to match a certificate to a person who holds it."""
    name = (name or "").strip()
    return f"{name[:1]}{'*' * min(max(len(name) - 1, 1), 3)}" if name else ""


@dataclass(frozen=True)
class Certificate:
    """What the public verification page may show: nothing that identifies the person beyond a masked name."""

    scheme: str
    organisation: str
    kind: str
    term_start: date
    term_end: date
    cover_starts_on: date
    valid: bool
    status: str
    masked_name: str


def certificate_verify(*, code: str) -> Certificate:
    enrolment = Enrolment.objects.select_related("scheme__organisation", "member", "insured_dependant").filter(
        certificate_code=code, status__in=COVERING_STATUSES).first() if code else None
    if enrolment is None:
        raise NotFound()
    scheme = enrolment.scheme
    today = local_today()
    valid = enrolment.status == EnrolmentStatus.ACTIVE and today <= scheme.term_end
    return Certificate(scheme=scheme.title, organisation=scheme.organisation.name, kind=scheme.kind,
                       term_start=scheme.term_start, term_end=scheme.term_end,
                       cover_starts_on=enrolment.cover_starts_on, valid=valid,
                       status="valid" if valid else ("not_yet" if today < enrolment.cover_starts_on else "ended"),
                       masked_name=mask_name(enrolment.insured_name))


# --- staff side ----------------------------------------------------------------------------------------------

def schemes_for_staff(*, actor, status: str | None = None, kind: str | None = None) -> QuerySet[Scheme]:
    qs = permissions.scope(actor, Action.MANAGE_SCHEME, Scheme.objects.select_related("organisation"))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-term_start", "title", "id")


def scheme_get_for_staff(*, actor, scheme_id: int) -> Scheme:
    scheme = Scheme.objects.select_related("organisation").filter(pk=scheme_id).first()
    if scheme is None or not permissions.can(actor, Action.MANAGE_SCHEME, scheme):
        raise NotFound()
    return scheme


def enrolments_for_staff(*, actor, scheme_id: int | None = None, status: str | None = None,
                         source: str | None = None, organisation_id: int | None = None,
                         search: str = "") -> QuerySet[Enrolment]:
    """Enrolments in schemes of the officer's subtrees; `organisation_id` narrows to members of that union's
    subtree (a union outside the officer's subtrees simply yields nothing)."""
    qs = permissions.scope(actor, Action.MANAGE_SCHEME, Enrolment.objects.select_related(*_ENROLMENT_RELATED),
                           via="scheme__organisation")
    if scheme_id:
        qs = qs.filter(scheme_id=scheme_id)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if organisation_id:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        qs = qs.filter(member__organisation__path__startswith=organisation.path) if organisation else qs.none()
    if search:
        qs = qs.filter(Q(member__real_name__icontains=search) | Q(member__member_number=search)
                       | Q(insured_dependant__name__icontains=search))
    return qs.order_by("-created_at", "-id")


def enrolment_export(qs: QuerySet[Enrolment]) -> tuple[list[str], list[list]]:
    """Header and rows of the enrolment export (CSV/XLSX through portal.exports, which neutralises formulas)."""
    header = [_("Enrolment"), _("Scheme"), _("Member number"), _("Member"), _("Insured person"), _("Union"),
              _("Shares"), _("Contribution (yuan)"), _("Status"), _("Source"), _("Cover starts"), _("Term ends"),
              _("Enrolled at")]
    rows = ([e.pk, e.scheme.title, e.member.member_number, e.member.real_name, e.insured_name,
             e.member.organisation.name, e.shares, e.amount_fen / 100, e.get_status_display(),
             e.get_source_display(), e.cover_starts_on, e.scheme.term_end, e.created_at] for e in qs.iterator())
    return header, rows


def claims_for_staff(*, actor, status: str | None = None, scheme_id: int | None = None,
                     open_only: bool = False) -> QuerySet[Claim]:
    """The claims queue: claims under schemes of the officer's subtrees, oldest open claims first."""
    qs = permissions.scope(actor, Action.APPROVE_CLAIM, _claims(), via="enrolment__scheme__organisation")
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=(ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO))
    if scheme_id:
        qs = qs.filter(enrolment__scheme_id=scheme_id)
    return qs.order_by("created_at", "id")


def claim_get_for_staff(*, actor, claim_id: int) -> Claim:
    claim = _claims().filter(pk=claim_id).first()
    if claim is None or not permissions.can(actor, Action.APPROVE_CLAIM, claim):
        raise NotFound()
    return claim


def claim_document_get_for_staff(*, actor, claim_id: int, document_id: int) -> ClaimDocument:
    document = ClaimDocument.objects.select_related("claim__enrolment__scheme__organisation").filter(
        pk=document_id, claim_id=claim_id).first()
    if document is None or not permissions.can(actor, Action.APPROVE_CLAIM, document.claim):
        raise NotFound()
    return document


def officers_of(scheme: Scheme):
    """Users holding the mutual-aid officer role at the scheme's organisation or above (they see it)."""
    ancestors = [scheme.organisation.path[:i] for i in range(Organisation.steplen,
                                                             len(scheme.organisation.path) + 1,
                                                             Organisation.steplen)]
    ids = RoleGrant.objects.filter(role=Role.MUTUALAID_OFFICER, organisation__path__in=ancestors).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def _sum(qs, field: str):
    return Coalesce(Subquery(qs.values("scheme_id" if qs.model is Enrolment else "enrolment__scheme_id")
                             .annotate(total=Sum(field)).values("total")[:1], output_field=IntegerField()),
                    Value(0))


def scheme_figures(qs: QuerySet[Scheme]) -> QuerySet[Scheme]:
    """Annotate each scheme with members_covered, contributions_fen, claims_paid_fen, claims_open and
    loss_ratio_percent (paid / contributions × 100; None when nothing was collected). Subqueries, so
    enrolments and claims are never joined together (a join would multiply the sums)."""
    enrolments = Enrolment.objects.filter(scheme=OuterRef("pk"), status__in=COVERING_STATUSES)
    paid = Claim.objects.filter(enrolment__scheme=OuterRef("pk"), status=ClaimStatus.PAID)
    open_claims = Claim.objects.filter(enrolment__scheme=OuterRef("pk"),
                                       status__in=(ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO))
    return qs.annotate(
        members_covered=Coalesce(Subquery(enrolments.values("scheme_id").annotate(n=Count("pk")).values("n")[:1],
                                          output_field=IntegerField()), Value(0)),
        contributions_fen=_sum(enrolments, "amount_fen"),
        claims_paid_fen=_sum(paid, "approved_amount_fen"),
        claims_open=Coalesce(Subquery(open_claims.values("enrolment__scheme_id").annotate(n=Count("pk"))
                                      .values("n")[:1], output_field=IntegerField()), Value(0)),
    )


def loss_ratio_percent(scheme: Scheme) -> float | None:
    contributions = getattr(scheme, "contributions_fen", 0)
    if not contributions:
        return None
    return round(scheme.claims_paid_fen * 100 / contributions, 1)


def scheme_dashboard(*, actor, status: str | None = None) -> list[Scheme]:
    """Every scheme in the officer's subtrees with its figures and loss ratio (`loss_ratio` attribute) and
    whether it is above its alert threshold (`alert`)."""
    schemes = list(scheme_figures(schemes_for_staff(actor=actor, status=status)))
    for scheme in schemes:
        scheme.loss_ratio = loss_ratio_percent(scheme)
        scheme.alert = scheme.loss_ratio is not None and scheme.loss_ratio > scheme.alert_loss_ratio_percent
    return schemes


def scheme_with_figures(*, scheme_id: int) -> Scheme:
    scheme = scheme_figures(Scheme.objects.select_related("organisation").filter(pk=scheme_id)).get()
    scheme.loss_ratio = loss_ratio_percent(scheme)
    return scheme

