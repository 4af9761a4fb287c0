"""Staff console: statistics exports. Choose kind, period, organisation and format and start one (the service
queues a Celery task); follow its progress (htmx polls each running row; without JavaScript a refresh shows it);
download the finished file (its requester only; 410 once expired); save the choices as a named template and
re-run it. The annual report page posts its workbook here too (kind asset_report), so every export is audited
the same way.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as ApiValidationError

from portal.errors import DomainError, NotFound
from portal.members.permissions import Action
from portal.stats import selectors_pages as selectors
from portal.stats.exports import services
from portal.stats.models import ExportStatus
from portal.uploads import private_file_response

from ..access import staff_console
from ..stats_forms import EXPORT_ERROR_FIELDS, ExportForm
from .console import _render
from .console_stats import KEY

RUNNING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def _flatten(errors) -> dict[str, list[str]]:
    """DRF's nested `{"filters": {"start": [...]}}` or a DomainError's `{"filters.start": [...]}` as field lists."""
    flat: dict[str, list[str]] = {}
    for name, value in (errors or {}).items():
        if isinstance(value, dict):
            flat.update(_flatten(value))
        else:
            flat[name.rsplit(".", 1)[-1]] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return flat


def _form_errors(form, errors) -> None:
    for name, messages_ in _flatten(errors).items():
        field = EXPORT_ERROR_FIELDS.get(name)
        form.add_error(field if field in form.fields else None, messages_)


def _start(request, form):
    """Start the export (and save the template when named); None when the service refused, with form errors."""
    data = form.cleaned_data
    try:
        export = services.export_request(actor=request.user, kind=data["kind"], fmt=data["format"],
                                         filters=form.filters())
        if data["template_name"]:
            services.template_save(actor=request.user, name=data["template_name"], kind=data["kind"],
                                   fmt=data["format"], filters=form.filters(for_template=True))
    except ApiValidationError as exc:
        _form_errors(form, exc.detail)
    except NotFound:
        form.add_error("organisation", _("Choose an organisation you can export."))
    except DomainError as exc:
        form.add_error(None, exc.detail)
        _form_errors(form, exc.errors)
    else:
        return export
    return None


@staff_console(action=Action.EXPORT_STATS)
def exports(request):
    organisations = selectors.stats_organisations(actor=request.user)
    form = ExportForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        export = _start(request, form)
        if export is not None:
            messages.success(request, _("Export started. It appears below as soon as it is ready."))
            return redirect(f"{reverse('frontend:console:stats_exports')}#export-{export.pk}")
    return _render(request, "frontend/console/stats/exports.html", {
        "form": form, "exports": selectors.stats_exports_for(actor=request.user),
        "templates": selectors.stats_templates_for(actor=request.user), "running": RUNNING,
    }, key=KEY, status=400 if request.method == "POST" else 200)


@staff_console(action=Action.EXPORT_STATS)
def export_status(request, pk: int):
    """One export's row: what htmx swaps in while it runs; without JavaScript, a page of its own."""
    export = services.export_for_requester(actor=request.user, export_id=pk)
    template = "frontend/console/stats/export_row.html" if getattr(request, "htmx", False) else \
        "frontend/console/stats/export_detail.html"
    return _render(request, template, {"e": export, "running": RUNNING}, key=KEY)


@staff_console(action=Action.EXPORT_STATS)
def export_download(request, pk: int):
    export = services.export_for_download(actor=request.user, export_id=pk)
    return private_file_response(export.file.name, download_name=services.export_filename(export))


@staff_console(action=Action.EXPORT_STATS)
@require_POST
def template_run(request, pk: int):
    template = services.template_for_owner(actor=request.user, template_id=pk)
    try:
        export = services.template_run(actor=request.user, template=template)
    except DomainError as exc:
        problems = [" ".join(v) for v in _flatten(exc.errors).values()]
        messages.error(request, " ".join([exc.detail, *problems]))
        return redirect("frontend:console:stats_exports")
    messages.success(request, _("Export started from template “%(name)s”.") % {"name": template.name})
    return redirect(f"{reverse('frontend:console:stats_exports')}#export-{export.pk}")
