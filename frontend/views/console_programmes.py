"""Staff console for recuperation programmes: programmes and batches, a batch's quota tree with allocate and
hand back, the approval queue (the union's approval, the organisers' confirmation), nominating a member, the
batch roster (print, CSV, XLSX) with check-in and check-out.

Reads come from bookings.programme_selectors (bookings.selectors_programme_pages: the allocate form's unions and
nominating by member number), writes from bookings.services (quotas, applications, programmes); every refusal a
service raises is shown on the page, beside the field it names.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import programme_selectors as reads
from bookings import selectors_programme_pages as pages
from bookings.models import ApplicationStatus
from bookings.services import applications as application_services
from bookings.services import programmes as programme_services
from bookings.services import quotas as quota_services
from facilities.models import FacilityKind
from facilities.selectors import facility_list
from portal import exports
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.permissions import Action

from ..access import staff_console
from ..forms import apply_service_errors
from ..programme_forms import AllocateForm, BatchForm, HandBackForm, NominateForm, ProgrammeForm, ReasonForm
from ..utils import safe_next
from .console import _render
from .programmes import timeline

KEY = "programmes"
# The two steps of the approval queue and the application status each one waits on.
STEPS = {"approve": ApplicationStatus.SUBMITTED, "confirm": ApplicationStatus.APPROVED}


def _queue(actor, step: str, batch=None) -> list:
    """The applications waiting for this actor at this step: the union's approval (members of the actor's
    unions) or the organisers' confirmation (batches the actor's unions run)."""
    applications = reads.application_queue(actor=actor, batch=batch, status=STEPS[step])
    if step == "approve":
        return [a for a in applications if permissions.can(actor, Action.APPROVE_APPLICATION, a)]
    return [a for a in applications if _runs(actor, a.batch.programme)]


def _runs(actor, programme) -> bool:
    return permissions.can(actor, Action.MANAGE_QUOTA, programme)


def _data(request):
    """The posted data (even when empty, so an empty POST shows every required field), or None on GET."""
    return request.POST if request.method == "POST" else None


def _submit(form, call) -> tuple[bool, object, int]:
    """Run one service call behind a valid form: a field error lands beside its field; a Conflict's message
    (and its field errors) on the form. Returns (ok, result, status)."""
    try:
        return True, call(), 200
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False, None, 400
    except Conflict as exc:
        for name, errors in exc.errors.items():  # beside the field it names, and what happened on top
            if name in form.fields:
                form.add_error(name, errors)
        form.add_error(None, exc.detail)
        return False, None, exc.status_code


# --- Programmes and batches -----------------------------------------------------------------------------------

@staff_console(action=Action.APPROVE_APPLICATION)
def programmes(request):
    return _render(request, "frontend/console/programmes/list.html", {
        "programmes": reads.programme_list_for_staff(actor=request.user),
        "can_create": permissions.can_anywhere(request.user, Action.MANAGE_QUOTA),
        "waiting": {step: len(_queue(request.user, step)) for step in STEPS},
    }, key=KEY)


@staff_console(action=Action.MANAGE_QUOTA)
def programme_create(request):
    organisations = permissions.organisations(request.user, Action.MANAGE_QUOTA).order_by("path")
    form = ProgrammeForm(_data(request), organisations=organisations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            ok, programme, status = _submit(form, lambda: programme_services.programme_create(
                actor=request.user, **data))
            if ok:
                messages.success(request, _("Programme created. Now add its batches."))
                return redirect("frontend:console:programme_detail", pk=programme.pk)
    return _render(request, "frontend/console/programmes/programme_form.html", {"form": form},
                   key=KEY, status=status)


def _sanatoriums():
    return facility_list(kind=FacilityKind.SANATORIUM)


@staff_console(action=Action.APPROVE_APPLICATION)
def programme_detail(request, pk: int):
    programme = reads.programme_get_for_staff(actor=request.user, programme_id=pk)
    runs = _runs(request.user, programme)
    form = BatchForm(_data(request), sanatoriums=_sanatoriums()) if runs else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Conflict(_("Only the organising union adds batches."))
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            ok, batch, status = _submit(form, lambda: programme_services.batch_create(
                actor=request.user, programme=programme, **data))
            if ok:
                messages.success(request, _("Batch added. Now allocate its places to the unions below."))
                return redirect("frontend:console:batch_detail", pk=batch.pk)
    return _render(request, "frontend/console/programmes/programme_detail.html", {
        "programme": programme, "batches": reads.batch_list_for_staff(actor=request.user, programme=programme),
        "runs": runs, "form": form,
    }, key=KEY, status=status)


# --- The quota tree ---------------------------------------------------------------------------------------------

def _batch_page(request, batch, *, bound: dict | None = None, status: int = 200):
    """The batch with its quota tree; `bound` holds the form that failed, shown open with its errors."""
    allocations = reads.allocation_tree(actor=request.user, batch_id=batch.pk)
    targets = pages.allocation_targets(actor=request.user, allocations=allocations)
    bound = bound or {}
    top = min((a.organisation.depth for a in allocations), default=0)
    nodes = []
    for a in allocations:
        node = {"allocation": a, "depth": min(a.organisation.depth - top, 3)}
        if targets.get(a.pk):
            node["allocate_form"] = bound.get(("allocate", a.pk)) or AllocateForm(
                children=pages.organisations_by_ids([o.pk for o in targets[a.pk]]), prefix=f"a{a.pk}")
        if a.pk in targets and a.parent_id is not None:
            node["hand_back_form"] = bound.get(("hand_back", a.pk)) or HandBackForm(prefix=f"h{a.pk}")
        nodes.append(node)
    return _render(request, "frontend/console/programmes/batch_detail.html", {
        "batch": batch, "programme": batch.programme, "nodes": nodes,
        "waiting": {step: len(_queue(request.user, step, batch)) for step in STEPS},
        "handback_open": timezone.localdate() <= batch.handback_cutoff,
    }, key=KEY, status=status)


@staff_console(action=Action.APPROVE_APPLICATION)
def batch_detail(request, pk: int):
    batch = reads.batch_get_for_staff(actor=request.user, batch_id=pk)
    return _batch_page(request, batch)


def _allocation(request, allocation_id: int):
    """An allocation the actor manages, with its batch (else 404, as the service would answer)."""
    allocation = quota_services.allocation_for_staff(actor=request.user, allocation_id=allocation_id)
    return allocation, reads.batch_get_for_staff(actor=request.user, batch_id=allocation.batch_id)


@staff_console(action=Action.MANAGE_QUOTA)
@require_POST
def quota_allocate(request, pk: int):
    allocation, batch = _allocation(request, pk)
    targets = pages.allocation_targets(actor=request.user, allocations=[allocation]).get(pk, [])
    form = AllocateForm(request.POST, children=pages.organisations_by_ids([o.pk for o in targets]), prefix=f"a{pk}")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        ok, child, status = _submit(form, lambda: quota_services.allocate(
            actor=request.user, allocation_id=pk, organisation=data["organisation"], places=data["places"],
            skilled_reserved=data["skilled_reserved"]))
        if ok:
            messages.success(request, _("%(n)d places allocated to %(org)s.") % {
                "n": data["places"], "org": data["organisation"].name})
            return redirect(reverse("frontend:console:batch_detail", args=[batch.pk]) + f"#quota-{pk}")
    return _batch_page(request, batch, bound={("allocate", pk): form}, status=status)


@staff_console(action=Action.MANAGE_QUOTA)
@require_POST
def quota_hand_back(request, pk: int):
    _allocation_, batch = _allocation(request, pk)
    form = HandBackForm(request.POST, prefix=f"h{pk}")
    status = 400
    if form.is_valid():
        places = form.cleaned_data["places"]
        ok, allocation, status = _submit(form, lambda: quota_services.hand_back(
            actor=request.user, allocation_id=pk, places=places))
        if ok:
            messages.success(request, _("%(n)d places handed back.") % {"n": places})
            return redirect(reverse("frontend:console:batch_detail", args=[batch.pk]) + f"#quota-{pk}")
    return _batch_page(request, batch, bound={("hand_back", pk): form}, status=status)


# --- Approvals ------------------------------------------------------------------------------------------------

class _QueueFilter(forms.Form):
    step = forms.ChoiceField(choices=list(STEPS.items()), required=False)
    batch = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


@staff_console(action=Action.APPROVE_APPLICATION)
def approvals(request):
    query = _QueueFilter(request.GET)
    step, batch = "approve", None
    if query.is_valid():
        step = query.cleaned_data["step"] or "approve"
        if query.cleaned_data["batch"]:
            batch = reads.batch_get_for_staff(actor=request.user, batch_id=query.cleaned_data["batch"])
    elif request.GET:
        messages.warning(request, _("That filter was not understood, so it is not applied."))
    return _render(request, "frontend/console/programmes/approvals.html", {
        "step": step, "batch": batch, "applications": _queue(request.user, step, batch),
        "reject_form": ReasonForm(),
        "steps": [("approve", _("Waiting for the union's approval")),
                  ("confirm", _("Waiting for the organisers' confirmation"))],
    }, key=KEY)


ACTIONS = {
    "approve": (application_services.application_approve, lambda: _("Approved: a place is held for %(name)s.")),
    "confirm": (application_services.application_confirm, lambda: _("Confirmed: %(name)s is in the batch.")),
}
ON_SITE = {
    "check_in": (application_services.participant_check_in, lambda: _("%(name)s is checked in.")),
    "check_out": (application_services.participant_check_out, lambda: _("%(name)s is checked out.")),
}
ACTIONS.update(ON_SITE)


@staff_console(action=Action.APPROVE_APPLICATION)
def application_detail(request, pk: int):
    """One application with its timeline; POST `action` approves, rejects (with a reason), confirms, checks in
    or out. Back to `next` (the queue or the roster) when it worked."""
    application = application_services.application_for_staff(actor=request.user, application_id=pk)
    reject_form = ReasonForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        name = application.member.real_name
        try:
            if action == "reject":
                reject_form = ReasonForm(request.POST)
                status = 400
                if reject_form.is_valid():
                    application_services.application_reject(actor=request.user, application_id=pk,
                                                            reason=reject_form.cleaned_data["reason"])
                    messages.success(request, _("Rejected; %(name)s has been told why.") % {"name": name})
                    return redirect(safe_next(request, "frontend:console:approvals"))
            elif action in ACTIONS:
                call, done = ACTIONS[action]
                call(actor=request.user, application_id=pk)
                messages.success(request, done() % {"name": name})
                return redirect(safe_next(request, "frontend:console:approvals"))
            else:
                status = 400
                messages.error(request, _("Choose what to do with this application."))
        except ValidationError as exc:
            apply_service_errors(reject_form, exc)
            status = 400
        except Conflict as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
        application = application_services.application_for_staff(actor=request.user, application_id=pk)
    return _render(request, "frontend/console/programmes/application_detail.html", {
        "application": application, "batch": application.batch, "timeline": timeline(application),
        "reject_form": reject_form, "can": _can(request.user, application),
    }, key=KEY, status=status)


def _can(actor, application) -> dict:
    """Which buttons to offer (the services decide in the end)."""
    runs = _runs(actor, application.batch.programme)
    grassroots = permissions.can(actor, Action.APPROVE_APPLICATION, application)
    status = application.status
    return {
        "approve": grassroots and status == ApplicationStatus.SUBMITTED,
        "reject": status in (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED) and (grassroots or runs),
        "confirm": runs and status == ApplicationStatus.APPROVED,
        "check_in": runs and status == ApplicationStatus.CONFIRMED,
        "check_out": runs and status == ApplicationStatus.CHECKED_IN,
    }


@staff_console(action=Action.APPROVE_APPLICATION)
def nominate(request, pk: int):
    batch = reads.batch_get_for_staff(actor=request.user, batch_id=pk)
    form = NominateForm(_data(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            member = pages.member_by_number_for_staff(actor=request.user,
                                                      member_number=form.cleaned_data["member_number"])
            if member is None:
                form.add_error("member_number", _("No member of your unions has this member number."))
            else:
                ok, application, status = _submit(form, lambda: application_services.application_nominate(
                    actor=request.user, member_id=member.pk, batch_id=batch.pk))
                if ok:
                    messages.success(request, _("%(name)s is nominated; the application now waits for approval.")
                                     % {"name": member.real_name})
                    return redirect("frontend:console:application_detail", pk=application.pk)
    return _render(request, "frontend/console/programmes/nominate.html", {"batch": batch, "form": form},
                   key=KEY, status=status)


@staff_console
@require_POST
def participant_check(request, pk: int):
    """Check a participant in or out from the roster: the sanatorium's staff or the organisers (the service
    decides; anybody else gets 404). Back to the roster, with what happened in a message."""
    action = request.POST.get("action", "")
    if action not in ON_SITE:
        if not reads.application_queue(actor=request.user, status=None).filter(pk=pk).exists():
            raise NotFound(_("Application not found."))  # 404 for what is not theirs, whatever the body
        messages.error(request, _("Choose what to do with this application."))
        return redirect(safe_next(request, "frontend:console:today"))
    call, done = ON_SITE[action]
    try:
        application = call(actor=request.user, application_id=pk)
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done() % {"name": application.member.real_name})
    return redirect(safe_next(request, "frontend:console:today"))


# --- Roster -----------------------------------------------------------------------------------------------------

@staff_console
def batch_roster(request, pk: int, fmt: str = "html"):
    """The participants as a print view, CSV or XLSX (portal.exports: formula-safe cells). Officers see the
    members of their unions (the organisers everybody); the sanatorium's staff the confirmed participants."""
    batch = reads.batch_get_for_staff(actor=request.user, batch_id=pk)
    roster = reads.batch_roster(actor=request.user, batch_id=pk)
    if fmt in exports.FORMATS:
        header, rows = reads.roster_rows(roster)
        filename = f"{batch.programme.title}-{batch.start_date:%Y%m%d}-{_('Roster')}"
        return exports.export_response(fmt, filename, header, rows, sheet_title=_("Roster"))
    return _render(request, "frontend/console/programmes/roster.html", {
        "batch": batch, "programme": batch.programme, "roster": roster,
        "officer": permissions.can_anywhere(request.user, Action.APPROVE_APPLICATION),
        "on_site": _runs(request.user, batch.programme)
        or permissions.can(request.user, Action.CHECK_IN, batch.sanatorium),
    }, key=KEY)
