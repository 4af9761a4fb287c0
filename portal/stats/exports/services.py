"""Exports: ask for one (queued for a Celery task), write it with progress, hand it to its requester only,
expire it; saved templates that re-run the same choices.

A run claims the export (queued -> running, `attempts` + 1) and shows signs of life (`heartbeat_at`) with
every progress update. A worker that dies mid-run leaves it running: the beat sweep `exports_resume_stalled`
queues it again once it has been silent for STATS_EXPORT_STALL_MINUTES, and fails it after
STATS_EXPORT_MAX_ATTEMPTS runs, as rosters_resume_stalled does for roster imports. A run writes only while the
attempt is still its own, so a slow run that was taken over stops instead of finishing twice."""

from __future__ import annotations

import logging
import tempfile
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from portal.audit.models import AuditAction
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Gone, NotFound
from portal.exports import write_export
from portal.members.permissions import Action
from portal.queue import enqueue_on_commit
from portal.stats.models import Export, ExportKind, ExportStatus, ExportTemplate
from portal.stats.scope import stats_organisation

from .copy import copy_available, copy_csv
from .filters import clean_filters, parsed_filters
from .kinds import KINDS

PROGRESS_EVERY_ROWS = 10_000
RUN_TASK = "portal.stats.tasks.export_run"
logger = logging.getLogger(__name__)


class Superseded(Exception):
    """This run's attempt is no longer the export's (the sweep gave it to another run, or it expired)."""


def _check_choices(kind: str, fmt: str) -> None:
    errors = {}
    if kind not in ExportKind.values:
        errors["kind"] = [_("Choose one of the export kinds.")]
    if fmt not in ("csv", "xlsx"):
        errors["format"] = [_("Choose CSV or XLSX.")]
    if errors:
        raise DomainError(_("Check the export choices."), errors=errors)


def export_request(*, actor, kind: str, fmt: str, filters: dict, template: ExportTemplate | None = None) -> Export:
    """Queue an export of `kind` for `actor`; the organisation (`filters.org`, default the actor's own) must be
    in the actor's subtree (404 otherwise). Audited."""
    _check_choices(kind, fmt)
    cleaned = clean_filters(kind, filters)
    organisation = stats_organisation(actor, cleaned.get("org"), action=Action.EXPORT_STATS)
    cleaned["org"] = organisation.pk
    with transaction.atomic():
        export = Export.objects.create(
            requester=actor, organisation=organisation, kind=kind, format=fmt, filters=cleaned, template=template,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            expires_at=timezone.now() + timedelta(days=settings.STATS_EXPORT_RETENTION_DAYS))
        audit_record(actor=actor, action=AuditAction.EXPORT, obj=export,
                     change={"kind": kind, "format": fmt, "filters": cleaned})
        enqueue_on_commit(RUN_TASK, export.pk)
    return export


def _own_run(export: Export):
    """The export's row while `export`'s run still owns it."""
    return Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts)


def _beat(export: Export, progress: int) -> None:
    if not _own_run(export).update(progress=progress, heartbeat_at=timezone.now()):
        raise Superseded


def _with_progress(export: Export, rows, total: int, counter: list[int]):
    step = max(1, min(PROGRESS_EVERY_ROWS, total // 100 or 1))
    for row in rows:
        counter[0] += 1
        if counter[0] % step == 0 and total:
            _beat(export, min(99, counter[0] * 100 // total))
        yield row


@contextmanager
def _progress_reporter(export: Export, total: int):
    """For the COPY path, called after each chunk of rows with the same percentages as `_with_progress`. The COPY
    holds the task's connection until its last row, so progress goes through a second, short-lived one."""
    step = max(1, min(PROGRESS_EVERY_ROWS, total // 100 or 1))
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    last = [0]
    update = (f"UPDATE {side.ops.quote_name(Export._meta.db_table)} SET progress = %s, "  # noqa: S608
              "heartbeat_at = %s WHERE id = %s AND status = %s AND attempts = %s")

    def on_rows(count: int) -> None:
        if total and count // step > last[0] // step:
            # A run that was taken over changes nothing here; its final update is refused (no second file).
            with side.cursor() as cursor:
                cursor.execute(update, [min(99, count * 100 // total), timezone.now(), export.pk,
                                        ExportStatus.RUNNING.value, export.attempts])
        last[0] = count

    try:
        yield on_rows
    finally:
        side.close()


def export_run(*, export_id: int) -> str:
    """Write the file of a queued export (the Celery task's body). Only one run claims an export, so a task
    delivered twice writes once."""
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now())
    if not claimed:
        return "skipped"
    export = Export.objects.select_related("organisation").get(pk=export_id)
    with translation.override(export.language or settings.LANGUAGE_CODE):
        return _write(export)


def _write(export: Export) -> str:
    export_id = export.pk
    try:
        filters = parsed_filters(export.kind, export.filters)
        counter = [0]
        with tempfile.TemporaryFile() as out:
            if export.kind == ExportKind.ASSET_REPORT and export.format == "xlsx":
                from portal.stats.report import write_annual_report

                counter[0] = write_annual_report(out, organisation=export.organisation, year=filters["year"])
            else:
                table = KINDS[export.kind](export.organisation, filters)
                if export.format == "csv" and table.copy is not None and copy_available(table.copy.queryset):
                    with _progress_reporter(export, table.total) as on_rows:
                        counter[0] = copy_csv(out, table.header, table.copy, on_rows=on_rows)
                else:
                    write_export(export.format, out, table.header,
                                 _with_progress(export, table.rows, table.total, counter),
                                 sheet_title=str(ExportKind(export.kind).label))
            out.seek(0)
            name = f"{export.kind}-{export.pk}.{export.format}"
            export.file.save(name, File(out, name=name), save=False)
    except Superseded:
        logger.warning("export %s: run %s was taken over; stopped", export_id, export.attempts)
        return "superseded"
    except Exception:  # a failed export says so on its row (the requester sees it); the log keeps the traceback
        logger.exception("export %s failed", export_id)
        _own_run(export).update(status=ExportStatus.FAILED, error=_("The export failed."), finished_at=timezone.now())
        return "failed"
    if not _own_run(export).update(status=ExportStatus.DONE, progress=100, row_count=counter[0],
                                   file=export.file.name, finished_at=timezone.now(), heartbeat_at=timezone.now()):
        export.file.delete(save=False)  # another run owns the export now: its file is the one kept
        return "superseded"
    return "done"


STALLED = gettext_lazy("The export stopped before it finished, %(attempts)s times. Run it again, perhaps for a "
                       "shorter period.")


def exports_resume_stalled(*, now=None) -> int:
    """Beat sweep: a queued or running export silent for STATS_EXPORT_STALL_MINUTES (its worker died, or the
    broker lost its message) is queued again, or failed with a message once it has had
    STATS_EXPORT_MAX_ATTEMPTS runs. Safe to run twice or alongside the runs; returns how many it touched."""
    now = now or timezone.now()
    stalled = Export.objects.filter(heartbeat_at__lt=now - timedelta(minutes=settings.STATS_EXPORT_STALL_MINUTES),
                                    status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], expires_at__gt=now)
    touched = 0
    for export_id, status, attempts, language in stalled.values_list("pk", "status", "attempts", "language"):
        # Each UPDATE repeats the conditions: an export that moved meanwhile (a heartbeat, a claim) is left alone.
        same = stalled.filter(pk=export_id, status=status, attempts=attempts)
        if status == ExportStatus.RUNNING and attempts >= settings.STATS_EXPORT_MAX_ATTEMPTS:
            with translation.override(language or settings.LANGUAGE_CODE):
                error = str(STALLED % {"attempts": attempts})[:300]
            touched += same.update(status=ExportStatus.FAILED, error=error, finished_at=now)
            continue
        with transaction.atomic():
            if same.update(status=ExportStatus.QUEUED, progress=0, heartbeat_at=now):
                enqueue_on_commit(RUN_TASK, export_id)
                touched += 1
    return touched


def exports_purge(*, now=None) -> int:
    """Delete the files of expired exports and mark them expired (beat task). Safe to run twice."""
    now = now or timezone.now()
    count = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(status=ExportStatus.EXPIRED).iterator():
        if export.file:
            export.file.delete(save=False)
        count += Export.objects.filter(pk=export.pk).exclude(status=ExportStatus.EXPIRED).update(
            status=ExportStatus.EXPIRED, file="")
    return count


def export_for_requester(*, actor, export_id: int) -> Export:
    """The export if `actor` asked for it (anyone else: 404)."""
    export = Export.objects.filter(pk=export_id, requester=actor).first() if actor.is_authenticated else None
    if export is None:
        raise NotFound()
    return export


def export_for_download(*, actor, export_id: int) -> Export:
    export = export_for_requester(actor=actor, export_id=export_id)
    if export.status == ExportStatus.EXPIRED or export.expires_at <= timezone.now():
        raise Gone(_("This export has expired. Run it again."))
    if export.status != ExportStatus.DONE or not export.file:
        raise Conflict(_("This export is not ready yet."))
    return export


def export_filename(export: Export) -> str:
    return f"{ExportKind(export.kind).label}-{export.organisation.name}-{export.created_at:%Y%m%d}.{export.format}"


# --- templates ---------------------------------------------------------------------------------------------------

def _template_filters(kind: str, filters: dict) -> dict:
    """Check the filters now (so a template is valid when saved) but keep what was given: a template without
    dates runs over this year to date whenever it is run."""
    clean_filters(kind, filters)
    return {k: v for k, v in filters.items()}


def template_save(*, actor, name: str, kind: str, fmt: str, filters: dict,
                  template: ExportTemplate | None = None) -> ExportTemplate:
    _check_choices(kind, fmt)
    filters = _template_filters(kind, filters)
    organisation = stats_organisation(actor, filters.get("org"), action=Action.EXPORT_STATS)
    if ExportTemplate.objects.filter(owner=actor, name=name).exclude(pk=getattr(template, "pk", None)).exists():
        raise DomainError(_("You already have a template with this name."),
                          errors={"name": [_("You already have a template with this name.")]})
    with transaction.atomic():
        if template is None:
            template = ExportTemplate(owner=actor)
        template.name, template.kind, template.format, template.filters = name, kind, fmt, filters
        template.organisation = organisation
        template.save()
    return template


def template_for_owner(*, actor, template_id: int) -> ExportTemplate:
    template = ExportTemplate.objects.filter(pk=template_id, owner=actor).first() if actor.is_authenticated else None
    if template is None:
        raise NotFound()
    return template


def template_run(*, actor, template: ExportTemplate) -> Export:
    """Queue an export with the template's choices; filters that no longer apply are a clear 400."""
    try:
        return export_request(actor=actor, kind=template.kind, fmt=template.format, filters=template.filters,
                              template=template)
    except ValidationError as exc:
        detail = exc.detail.get("filters", exc.detail) if isinstance(exc.detail, dict) else exc.detail
        errors = {f"filters.{k}": [str(m) for m in v] for k, v in detail.items()} if isinstance(detail, dict) else {
            "filters": [str(m) for m in detail]}
        raise DomainError(_("The filters saved in template “%(name)s” no longer apply. Edit the template and save "
                            "it again.") % {"name": template.name}, errors=errors, code="template_outdated") from None


def template_delete(*, actor, template: ExportTemplate) -> None:
    template.delete()


__all__ = ["export_request", "export_run", "exports_purge", "exports_resume_stalled", "export_for_requester",
           "export_for_download", "export_filename", "template_save", "template_for_owner", "template_run",
           "template_delete"]
