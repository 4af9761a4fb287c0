"""Staff console for mutual aid: the scheme dashboard (loss-ratio chart), scheme setup, work-unit roster import
with a live progress bar, the enrolment list with exports, and the claims queue with documents and decisions.

Reads come from mutualaid.selectors and mutualaid.roster.selectors (scoped to the officer's subtrees), writes
from mutualaid.services and mutualaid.roster.services; a view never checks a cap, a window or a scope itself.
Objects outside the officer's subtrees are a 404 (the selectors say NotFound).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from mutualaid import benefits, selectors, services
from mutualaid.models import ClaimStatus
from mutualaid.roster import selectors as roster_selectors
from mutualaid.roster import services as roster_services
from portal import exports
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.models import OrganisationLevel
from portal.members.permissions import Action
from portal.uploads import private_file_response

from ..access import staff_console
from ..forms import apply_service_errors
from ..mutualaid_forms import (
    SCHEME_ERROR_FIELDS,
    ApproveForm,
    ClaimFilter,
    EnrolmentFilter,
    MoreInfoForm,
    PaidForm,
    RejectClaimForm,
    RosterUploadForm,
    SchemeForm,
)
from ..utils import page_filters
from .console import _render

KEY = "mutualaid"
PAGE_SIZE = 50


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """A service's field errors under this page's field names (amounts typed in yuan, lists as text)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Dashboard ----------------------------------------------------------------------------------------------

CHART_WIDTH = 320
CHART_ROW = 48


def loss_ratio_chart(schemes) -> dict:
    """Horizontal bars of each scheme's loss ratio with its alert threshold as a tick, as numbers an inline SVG
    draws (no script, no CDN); the table beside it holds the same figures for screen readers and printing."""
    values = [s.loss_ratio or 0 for s in schemes] + [s.alert_loss_ratio_percent for s in schemes] + [100]
    top = max(values) * 1.1
    bars = []
    for i, s in enumerate(schemes):
        y = i * CHART_ROW
        ratio = s.loss_ratio or 0
        label = s.title if len(s.title) <= 16 else s.title[:15] + "…"
        bars.append({
            "label": label, "value": "—" if s.loss_ratio is None else f"{s.loss_ratio:g}%", "y": y,
            "text_y": y + 14, "bar_y": y + 20, "width": round(ratio / top * CHART_WIDTH, 1),
            "tick_x": round(s.alert_loss_ratio_percent / top * CHART_WIDTH, 1), "tick_y1": y + 16, "tick_y2": y + 44,
            "over": bool(getattr(s, "alert", False)),
        })
    return {"bars": bars, "width": CHART_WIDTH, "height": max(len(bars), 1) * CHART_ROW}


@staff_console(action=Action.MANAGE_SCHEME)
def dashboard(request):
    schemes = selectors.scheme_dashboard(actor=request.user)
    totals = {"members": sum(s.members_covered for s in schemes),
              "contributions_fen": sum(s.contributions_fen for s in schemes),
              "paid_fen": sum(s.claims_paid_fen for s in schemes),
              "open_claims": sum(s.claims_open for s in schemes)}
    return _render(request, "frontend/console/mutualaid/dashboard.html", {
        "schemes": schemes, "chart": loss_ratio_chart(schemes), "totals": totals,
        "can_import": permissions.can_anywhere(request.user, Action.IMPORT_ROSTER),
        "can_review": permissions.can_anywhere(request.user, Action.APPROVE_CLAIM),
    }, key=KEY)


# --- Schemes ------------------------------------------------------------------------------------------------

@staff_console(action=Action.MANAGE_SCHEME)
def schemes(request):
    return _render(request, "frontend/console/mutualaid/schemes.html", {
        "schemes": selectors.schemes_for_staff(actor=request.user)}, key=KEY)


def _save_scheme(form, call) -> object | None:
    try:
        return call()
    except ValidationError as exc:
        apply_service_errors(form, _renamed(exc, SCHEME_ERROR_FIELDS))
    except Conflict as exc:  # frozen once people are enrolled: said beside each field it names
        form.add_error(None, exc.detail)
        for field, errors in (exc.errors or {}).items():
            name = SCHEME_ERROR_FIELDS.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    return None


@staff_console(action=Action.MANAGE_SCHEME)
def scheme_create(request):
    organisations = permissions.organisations(request.user, Action.MANAGE_SCHEME).order_by("path")
    form = SchemeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        scheme = _save_scheme(form, lambda: services.scheme_create(
            actor=request.user, organisation=form.cleaned_data["organisation"], **form.service_data()))
        if scheme is not None:
            messages.success(request, _("Scheme created."))
            return redirect("frontend:console:scheme_edit", pk=scheme.pk)
    return _render(request, "frontend/console/mutualaid/scheme_form.html", {"form": form, "scheme": None},
                   key=KEY, status=400 if request.method == "POST" else 200)


@staff_console(action=Action.MANAGE_SCHEME)
def scheme_edit(request, pk: int):
    scheme = selectors.scheme_get_for_staff(actor=request.user, scheme_id=pk)
    form = SchemeForm(request.POST or None, instance=scheme)
    if request.method == "POST" and form.is_valid():
        # The form wrote the typed values onto the instance while checking constraints; the service compares
        # against the stored row, so it gets a fresh copy.
        stored = selectors.scheme_get_for_staff(actor=request.user, scheme_id=pk)
        saved = _save_scheme(form, lambda: services.scheme_update(actor=request.user, scheme=stored,
                                                                  data=form.service_data()))
        if saved is not None:
            messages.success(request, _("Scheme saved."))
            return redirect("frontend:console:scheme_edit", pk=scheme.pk)
    figures = selectors.scheme_with_figures(scheme_id=scheme.pk)
    return _render(request, "frontend/console/mutualaid/scheme_form.html", {
        "form": form, "scheme": scheme, "figures": figures,
    }, key=KEY, status=400 if request.method == "POST" else 200)


# --- Roster import ------------------------------------------------------------------------------------------

def _roster_form(request):
    organisations = permissions.organisations(request.user, Action.IMPORT_ROSTER).filter(
        level=OrganisationLevel.GRASSROOTS).order_by("path")
    schemes_qs = selectors.schemes_for_staff(actor=request.user, status="open")
    return RosterUploadForm(request.POST or None, request.FILES or None, schemes=schemes_qs,
                            organisations=organisations)


@staff_console(action=Action.IMPORT_ROSTER)
def roster_upload(request):
    """Upload a roster for a work unit; the check runs in the background and the next page shows its progress."""
    form = _roster_form(request)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                roster = roster_services.roster_upload(
                    actor=request.user, scheme_id=form.cleaned_data["scheme"].pk,
                    organisation_id=form.cleaned_data["organisation"].pk, file=form.cleaned_data["file"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Roster uploaded. Every row is being checked; nothing is written until "
                                            "you confirm."))
                return redirect("frontend:console:roster_detail", pk=roster.pk)
    return _render(request, "frontend/console/mutualaid/rosters.html", {
        "form": form, "rosters": roster_selectors.roster_list_for_staff(actor=request.user)[:20],
    }, key=KEY, status=status)


@staff_console(action=Action.IMPORT_ROSTER)
def roster_detail(request, pk: int):
    """Progress (htmx polls the panel every two seconds; without JavaScript a refresh link), then the preview
    counts, the error report and the confirm step."""
    roster = roster_selectors.roster_get_for_staff(actor=request.user, roster_id=pk)
    if request.method == "POST":
        try:
            roster_services.roster_confirm(actor=request.user, roster_id=roster.pk)
        except Conflict as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Import started. Every row is written at once, or none."))
        return redirect("frontend:console:roster_detail", pk=roster.pk)
    context = {"roster": roster, "progress": roster_selectors.roster_progress(roster)}
    if getattr(request, "htmx", False):
        return _render(request, "frontend/console/mutualaid/roster_progress.html", context, key=KEY)
    return _render(request, "frontend/console/mutualaid/roster_detail.html", context, key=KEY)


@staff_console(action=Action.IMPORT_ROSTER)
def roster_errors(request, pk: int):
    """The error report (every bad row and why; resident IDs masked), served privately."""
    roster = roster_selectors.roster_get_for_staff(actor=request.user, roster_id=pk)
    if not roster.error_report:
        raise NotFound(_("This roster has no error report."))
    return private_file_response(roster.error_report.name, download_name=f"roster-{roster.pk}-errors.csv")


# --- Enrolments ---------------------------------------------------------------------------------------------

@staff_console(action=Action.MANAGE_SCHEME)
def enrolments(request, fmt: str = "html"):
    schemes_qs = selectors.schemes_for_staff(actor=request.user)
    organisations = permissions.organisations(request.user, Action.MANAGE_SCHEME).order_by("path")
    filters = EnrolmentFilter(request.GET or None, schemes=schemes_qs, organisations=organisations)
    values = page_filters(request, filters) if filters.is_bound else {}
    scheme, organisation = values.get("scheme"), values.get("organisation")
    qs = selectors.enrolments_for_staff(actor=request.user, scheme_id=scheme.pk if scheme else None,
                                        organisation_id=organisation.pk if organisation else None,
                                        status=values.get("status") or None, source=values.get("source") or None,
                                        search=(values.get("q") or "").strip())
    if fmt in exports.FORMATS:
        header, rows = selectors.enrolment_export(qs)
        return exports.export_response(fmt, _("Enrolments"), header, rows, sheet_title=_("Enrolments"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "frontend/console/mutualaid/enrolments.html", {
        "form": filters.form, "page": page, "query": _query(request),
    }, key=KEY)


# --- Claims -------------------------------------------------------------------------------------------------

@staff_console(action=Action.APPROVE_CLAIM)
def claims(request):
    """The queue: open claims oldest first (or any status picked in the filter)."""
    filters = ClaimFilter(request.GET or None, schemes=selectors.schemes_for_staff(actor=request.user))
    values = page_filters(request, filters) if filters.is_bound else {}
    scheme = values.get("scheme")
    qs = selectors.claims_for_staff(actor=request.user, status=values.get("status") or None,
                                    scheme_id=scheme.pk if scheme else None, open_only=not values.get("status"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "frontend/console/mutualaid/claims.html", {
        "form": filters.form, "page": page, "query": _query(request), "open_only": not values.get("status"),
    }, key=KEY)


ACTIONS = {"approve": ApproveForm, "reject": RejectClaimForm, "more": MoreInfoForm, "paid": PaidForm}


def _decide(request, claim, action: str, form) -> str:
    if action == "approve":
        services.claim_approve(actor=request.user, claim_id=claim.pk, amount_fen=form.amount_fen,
                               reason=form.cleaned_data["reason"])
        return _("Claim approved; the member has been told.")
    if action == "reject":
        services.claim_reject(actor=request.user, claim_id=claim.pk, reason=form.cleaned_data["reason"])
        return _("Claim rejected; the member has been told why.")
    if action == "more":
        services.claim_request_info(actor=request.user, claim_id=claim.pk, message=form.cleaned_data["message"])
        return _("The member has been asked for more documents.")
    services.claim_mark_paid(actor=request.user, claim_id=claim.pk,
                             payout_reference=form.cleaned_data["payout_reference"])
    return _("Marked as paid; the member has been told.")


@staff_console(action=Action.APPROVE_CLAIM)
def claim_detail(request, pk: int):
    """One claim: the person and cover, the documents (photos inline, PDFs as links), the suggested payout with
    its working, the timeline, and the decision forms."""
    claim = selectors.claim_get_for_staff(actor=request.user, claim_id=pk)
    forms = {"approve": ApproveForm(prefix="approve", initial={
                 "amount_yuan": f"{claim.suggested_payout_fen / 100:.2f}"}),
             "reject": RejectClaimForm(prefix="reject"), "more": MoreInfoForm(prefix="more"),
             "paid": PaidForm(prefix="paid")}
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ACTIONS:
        form = forms[action] = ACTIONS[action](request.POST, prefix=action)
        status = 400
        if form.is_valid():
            try:
                done = _decide(request, claim, action, form)
            except ValidationError as exc:
                apply_service_errors(form, _renamed(exc, {"amount_fen": "amount_yuan"}))
            except Conflict as exc:
                messages.error(request, exc.detail)
                return redirect("frontend:console:claim_detail", pk=claim.pk)
            else:
                messages.success(request, done)
                return redirect("frontend:console:claim_detail", pk=claim.pk)
    elif request.method == "POST":
        status = 400
        messages.error(request, _("Choose what to do with the claim."))
    documents = list(claim.documents.all())
    return _render(request, "frontend/console/mutualaid/claim_detail.html", {
        "claim": claim, "enrolment": claim.enrolment, "member": claim.enrolment.member, "forms": forms,
        "open": claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO),
        "can_ask": claim.status == ClaimStatus.SUBMITTED, "can_pay": claim.status == ClaimStatus.APPROVED,
        "working": benefits.describe_working(claim.working), "steps": list(claim.steps.all()),
        "images": [d for d in documents if d.content_type.startswith("image/")],
        "files": [d for d in documents if not d.content_type.startswith("image/")],
        "failed": action if status == 400 else "",
    }, key=KEY, status=status)


@staff_console(action=Action.APPROVE_CLAIM)
def claim_document(request, pk: int, doc: int):
    """A claim document for the officer who may review the claim; anybody else gets a 404."""
    document = selectors.claim_document_get_for_staff(actor=request.user, claim_id=pk, document_id=doc)
    return private_file_response(document.file.name, download_name=document.original_name or f"document-{doc}")
