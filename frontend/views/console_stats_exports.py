"""Staff console: statistics exports (start, watch progress, download, saved templates) and the annual report
workbook."""

from __future__ import annotations

from django.http import Http404

from portal.members.permissions import Action

from ..access import staff_console


@staff_console(action=Action.EXPORT_STATS)
def exports(request):
    raise Http404


@staff_console(action=Action.EXPORT_STATS)
def export_status(request, pk: int):
    raise Http404


@staff_console(action=Action.EXPORT_STATS)
def export_download(request, pk: int):
    raise Http404


@staff_console(action=Action.EXPORT_STATS)
def template_run(request, pk: int):
    raise Http404


@staff_console(action=Action.EXPORT_STATS)
def annual_report_xlsx(request):
    raise Http404
