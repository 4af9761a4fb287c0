"""Member pages for recuperation programmes: the programmes with each batch and whether the member may apply
(or why not), a batch with the application form, my applications and each one's timeline, withdrawing.

Eligibility, places and every step come from bookings.programme_selectors and
bookings.services.applications; views only shape pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings import programme_selectors as programme_reads
from bookings import selectors
from bookings.models import ELIGIBILITY_CATEGORIES, ApplicationAction, ApplicationStatus
from bookings.services import applications as services
from portal.errors import Conflict, NotFound
from portal.members.selectors import member_require

from ..forms import apply_service_errors
from ..programme_forms import ApplyForm

WITHDRAWABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED, ApplicationStatus.CONFIRMED)
# The steps every application goes through, in order; a step not reached yet is shown greyed.
NEXT_STEPS = [
    (ApplicationStatus.SUBMITTED, (ApplicationAction.SUBMIT, ApplicationAction.NOMINATE), gettext_lazy("Applied")),
    (ApplicationStatus.APPROVED, (ApplicationAction.APPROVE,), gettext_lazy("Approved by your union")),
    (ApplicationStatus.CONFIRMED, (ApplicationAction.CONFIRM,), gettext_lazy("Confirmed by the organisers")),
    (ApplicationStatus.CHECKED_IN, (ApplicationAction.CHECK_IN,), gettext_lazy("Checked in at the sanatorium")),
    (ApplicationStatus.COMPLETED, (ApplicationAction.CHECK_OUT,), gettext_lazy("Completed")),
]
ENDING = {ApplicationAction.REJECT, ApplicationAction.WITHDRAW, ApplicationAction.CANCEL}


def _rows(programme, verdicts) -> list[dict]:
    return [{"batch": b, "v": verdicts[b.pk], "programme": programme,
             "status_label": ApplicationStatus(verdicts[b.pk].application_status).label
             if verdicts[b.pk].application_status else ""} for b in programme.batches.all()]


def programme_list(request):
    member = selectors.member_for(request.user)
    programmes = list(programme_reads.programme_list())
    verdicts = programme_reads.batch_verdicts(member=member, programmes=programmes)
    return render(request, "frontend/programmes/list.html", {
        "section": "programmes", "member": member,
        "programmes": [{"programme": p, "rows": _rows(p, verdicts)} for p in programmes],
    })


def programme_detail(request, pk: int):
    member = selectors.member_for(request.user)
    programme = programme_reads.programme_get(programme_id=pk)
    verdicts = programme_reads.batch_verdicts(member=member, programmes=[programme])
    labels = dict(ELIGIBILITY_CATEGORIES)
    return render(request, "frontend/programmes/detail.html", {
        "section": "programmes", "member": member, "programme": programme, "rows": _rows(programme, verdicts),
        "categories": [str(labels[c]) for c in programme.categories or () if c in labels],
    })


def _batch_row(*, programme_pk: int, pk: int, member) -> dict:
    programme = programme_reads.programme_get(programme_id=programme_pk)
    rows = [r for r in _rows(programme, programme_reads.batch_verdicts(member=member, programmes=[programme]))
            if r["batch"].pk == pk]
    if not rows:
        raise NotFound()
    return rows[0]


@login_required
def batch_apply(request, programme_pk: int, pk: int):
    """The batch, the member's verdict and the confirm form; POST applies through application_submit."""
    member = selectors.member_for(request.user)
    row = _batch_row(programme_pk=programme_pk, pk=pk, member=member)
    form = ApplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            member = member_require(user=request.user)
            try:
                application = services.application_submit(member=member, programme_id=programme_pk, batch_id=pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
                row = _batch_row(programme_pk=programme_pk, pk=pk, member=member)
            else:
                messages.success(request, _("Application sent. Your union will review it; we will tell you "
                                            "the outcome."))
                return redirect("frontend:application_detail", pk=application.pk)
    return render(request, "frontend/programmes/apply.html", {
        "section": "programmes", "member": member, "row": row, "batch": row["batch"],
        "programme": row["programme"], "form": form,
    }, status=status)


@login_required
def application_list(request):
    member = selectors.member_for(request.user)
    return render(request, "frontend/programmes/applications.html", {
        "section": "programmes", "member": member,
        "applications": list(programme_reads.application_list(member=member)) if member else [],
    })


def timeline(application) -> list[dict]:
    """What happened (every step, with its reason) and what comes next, greyed, until the trip is over."""
    steps = list(application.steps.all())
    done = [{"state": "refused" if s.action in ENDING else "done", "action": s.action,
             "label": s.get_action_display(), "when": s.created_at, "reason": s.reason} for s in steps]
    if application.status in (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN, ApplicationStatus.CANCELLED):
        return done
    reached = {s.action for s in steps}
    upcoming = [{"state": "next", "label": label} for _status, actions, label in NEXT_STEPS
                if not reached.intersection(actions)]
    return done + upcoming


@login_required
def application_detail(request, pk: int):
    member = member_require(user=request.user)
    application = programme_reads.application_get(member=member, application_id=pk)
    return render(request, "frontend/programmes/application.html", {
        "section": "programmes", "application": application, "batch": application.batch,
        "timeline": timeline(application), "can_withdraw": _can_withdraw(application),
    })


def _can_withdraw(application) -> bool:
    return application.status in WITHDRAWABLE and application.batch.start_date > timezone.localdate()


@login_required
def application_withdraw(request, pk: int):
    """GET asks once; POST withdraws through the service (which gives a held place back)."""
    member = member_require(user=request.user)
    application = programme_reads.application_get(member=member, application_id=pk)
    if request.method == "POST":
        try:
            services.application_withdraw(member=member, application_id=application.pk)
        except Conflict as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("frontend:application_detail", pk=application.pk)
    return render(request, "frontend/programmes/withdraw.html", {
        "section": "programmes", "application": application, "batch": application.batch,
    })
