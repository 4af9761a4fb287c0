"""Every write of a roster import: upload, validate (task), confirm, commit (task), purge old files.

Status: uploaded -> validating -> valid | invalid (| failed); valid -> (confirm) importing -> done | failed.
Tasks get only the import's primary key; both are safe to run twice and to be redelivered after a worker
dies (acks_late): validation starts over, and the commit locks the import row and checks its status in
the same transaction that writes the rows and marks it done.
"""

from __future__ import annotations

import io
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualaid.models import RosterImport, RosterStatus, Scheme, SchemeStatus
from portal import uploads
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.models import Organisation, OrganisationLevel, User
from portal.members.permissions import Action
from portal.queue import enqueue_on_commit

from . import reading
from .report import ErrorReport
from .validation import checked_batches, rechecked_batches
from .writing import RosterWriter

logger = logging.getLogger(__name__)

VALIDATE_TASK = "mutualaid.tasks.roster_validate"
COMMIT_TASK = "mutualaid.tasks.roster_commit"
ROWS_CHANGED = gettext_lazy("Some rows no longer pass the checks (someone enrolled or registered meanwhile). "
                            "Upload the roster again to see the new error report.")
WINDOW_CLOSED = gettext_lazy("The scheme is not open for enrolment now.")


def _progress_key(roster_id: int) -> str:
    return f"mutualaid:roster:{roster_id}:progress"


def import_progress(roster_id: int) -> int | None:
    """Rows written so far by a running commit (its transaction is not visible until it ends)."""
    return cache.get(_progress_key(roster_id))


def _scheme_open(scheme: Scheme) -> bool:
    today = timezone.localdate()
    return (scheme.status == SchemeStatus.OPEN
            and scheme.enrolment_opens_on <= today <= scheme.enrolment_closes_on)


def _upload_targets(*, actor: User, scheme_id: int, organisation_id: int) -> tuple[Scheme, Organisation]:
    """The grassroots union (in the officer's subtree) and an open scheme run by it or a union above it."""
    errors: dict[str, list[str]] = {}
    organisation = permissions.organisations(actor, Action.IMPORT_ROSTER).filter(
        pk=organisation_id, level=OrganisationLevel.GRASSROOTS).first()
    if organisation is None:
        errors["organisation"] = [_("Choose a grassroots union you look after.")]
    scheme = Scheme.objects.select_related("organisation").filter(pk=scheme_id).first()
    if scheme is None or (organisation is not None and not organisation.path.startswith(scheme.organisation.path)):
        errors["scheme"] = [_("Choose a scheme that covers this union.")]
    elif not _scheme_open(scheme):
        errors["scheme"] = [str(WINDOW_CLOSED)]
    if errors:
        raise ValidationError(errors)
    return scheme, organisation


def roster_upload(*, actor: User, scheme_id: int, organisation_id: int, file) -> RosterImport:
    """Check the file (type by content, size, encoding, header row, row count), store it privately and
    queue the validation. A bad file or choice is a field error and leaves nothing behind."""
    if not permissions.can_anywhere(actor, Action.IMPORT_ROSTER):
        raise NotFound(_("Not found."))
    scheme, organisation = _upload_targets(actor=actor, scheme_id=scheme_id, organisation_id=organisation_id)
    accepted = _accept(file)
    with uploads.store_upload(accepted, directory="rosters", visibility=uploads.Visibility.PRIVATE) as stored:
        rows = reading.count_rows(stored.name, encoding=accepted.encoding)  # header, empty, too many rows
        if not rows:
            raise ValidationError({reading.FILE_FIELD: [
                _("The file has a header row but no people. Add one row per person and upload it again.")]})
        with transaction.atomic():
            roster = RosterImport.objects.create(
                scheme=scheme, organisation=organisation, uploaded_by=actor, file=stored.name,
                original_name=accepted.original_name[:100], encoding=accepted.encoding or "", rows_total=rows)
            enqueue_on_commit(VALIDATE_TASK, roster.pk)
    return roster


def _accept(file) -> uploads.AcceptedTable:
    try:
        return uploads.accept_table(file, field=reading.FILE_FIELD)
    except ValidationError as exc:
        codes = {error.code for errors in exc.error_dict.values() for error in errors}
        if "not_a_table" in codes and _looks_like_text(file):
            raise reading.unreadable_csv_error() from None
        raise


def _looks_like_text(file) -> bool:
    """A CSV in an encoding we cannot read (UTF-16 "Unicode text", Big5...), as opposed to a program or an
    image renamed .csv: worth the "save it as CSV UTF-8" advice."""
    file.seek(0)
    head = file.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return str(getattr(file, "name", "")).lower().endswith(".csv") and b"\x00" not in head


def checked_rows_name(roster: RosterImport) -> str:
    """Where validation keeps the rows as checked (hashes, never clear IDs) for the commit: beside the file."""
    return f"{roster.file.name}.checked"


def _save_checked_rows(roster: RosterImport, spool) -> None:
    name = checked_rows_name(roster)
    default_storage.delete(name)  # left by an earlier delivery of the same task
    spool.seek(0)
    saved = default_storage.save(name, File(spool))
    if saved != name:  # storage chose another name: never leave a copy nobody knows of
        default_storage.delete(saved)
        raise OSError("could not store the checked rows")


def _save_progress(roster_id: int, done: int, total: int) -> None:
    RosterImport.objects.filter(pk=roster_id).update(
        rows_done=min(done, total), percent=min(100, done * 100 // max(total, 1)), updated_at=timezone.now())


def roster_validate(*, roster_id: int) -> RosterImport | None:
    """Check every row, save progress after each batch, write the error report and the preview counts.
    Runs again from the start when redelivered; does nothing once the import is past validation."""
    started = RosterImport.objects.filter(
        pk=roster_id, status__in=[RosterStatus.UPLOADED, RosterStatus.VALIDATING]).update(
        status=RosterStatus.VALIDATING, rows_done=0, percent=0, updated_at=timezone.now())
    if not started:
        return None
    roster = RosterImport.objects.select_related("scheme", "uploaded_by").get(pk=roster_id)
    report = ErrorReport()
    done = new = matched = 0
    language = (roster.uploaded_by.language if roster.uploaded_by else "") or settings.LANGUAGE_CODE
    try:
        with translation.override(language), \
                tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b") as checked:
            for batch in checked_batches(reading.read_rows(roster.file.name, encoding=roster.encoding or None),
                                         scheme=roster.scheme, actor=roster.uploaded_by):
                report.add(batch)
                if not report.count:
                    checked.write("".join(row.to_line() for row in batch).encode("utf-8"))
                done += len(batch)
                new += sum(1 for row in batch if row.ok and row.member_id is None)
                matched += sum(1 for row in batch if row.ok and row.member_id is not None)
                _save_progress(roster_id, done, roster.rows_total)
            report_name = report.save()
            if not report.count:
                _save_checked_rows(roster, checked)
    except ValidationError as exc:  # the file itself (it was read once at upload; storage may have changed)
        _finish(roster_id, RosterStatus.INVALID, failure=" ".join(exc.messages))
        return None
    status = RosterStatus.INVALID if report.count else RosterStatus.VALID
    updated = RosterImport.objects.filter(pk=roster_id, status=RosterStatus.VALIDATING).update(
        status=status, rows_total=done, rows_done=done, percent=100, errors_count=report.count, new_members=new,
        matched_members=matched, error_report=report_name, validated_at=timezone.now(), updated_at=timezone.now())
    if not updated and report_name:
        default_storage.delete(report_name)  # a second delivery finished first
    logger.info("roster %s checked: %s rows, %s with errors", roster_id, done, report.count)
    return RosterImport.objects.get(pk=roster_id)


def _finish(roster_id: int, status: str, *, failure: str) -> None:
    RosterImport.objects.filter(pk=roster_id).exclude(status=RosterStatus.DONE).update(
        status=status, failure=failure[:300], updated_at=timezone.now())


def roster_confirm(*, actor: User, roster_id: int) -> RosterImport:
    """The officer confirms a valid preview: the import is queued (202). Confirming twice is a 409."""
    with transaction.atomic():
        roster = (permissions.scope(actor, Action.IMPORT_ROSTER, RosterImport.objects.select_for_update())
                  .select_related("scheme").filter(pk=roster_id).first())
        if roster is None:
            raise NotFound(_("Roster import not found."))
        if roster.status != RosterStatus.VALID:
            raise Conflict(_("Only a roster whose check found no errors can be imported (now: %(status)s).")
                           % {"status": roster.get_status_display()}, code="roster_not_valid")
        if not _scheme_open(roster.scheme):
            raise Conflict(str(WINDOW_CLOSED), code="scheme_closed")
        roster.status, roster.confirmed_by, roster.percent, roster.rows_done = RosterStatus.IMPORTING, actor, 0, 0
        roster.save(update_fields=["status", "confirmed_by", "percent", "rows_done", "updated_at"])
        enqueue_on_commit(COMMIT_TASK, roster.pk)
    return roster


class RowsChanged(Exception):
    pass


# A second delivery of the commit waits for the first to finish (then finds it done) rather than give up after
# the usual lock timeout: the first may take a minute for 100,000 rows.
COMMIT_LOCK_WAIT_MS = 15 * 60 * 1000


def _wait_for_a_running_commit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # For this transaction only; a task's own statement timeout would otherwise end the wait too.
            cursor.execute("SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)",
                           [str(COMMIT_LOCK_WAIT_MS), str(COMMIT_LOCK_WAIT_MS)])


def roster_commit(*, roster_id: int) -> RosterImport:
    """Write every row in ONE transaction, exactly once: the import row is locked and its status checked
    inside the transaction that writes the rows and marks it done; a second run (retry, redelivery, a
    worker killed mid-way whose transaction the database rolled back) finds it done, or does it all again."""
    try:
        with transaction.atomic():
            _wait_for_a_running_commit()
            roster = (RosterImport.objects.select_for_update(of=("self",))
                      .select_related("scheme", "uploaded_by").get(pk=roster_id))
            if roster.status != RosterStatus.IMPORTING:
                return roster  # done already (or never confirmed): nothing to do
            _write_all(roster)
            return roster
    except (RowsChanged, IntegrityError, ValidationError):
        _finish(roster_id, RosterStatus.FAILED, failure=str(ROWS_CHANGED))
    except DatabaseError:
        raise  # transient (lost connection, timeout): the task retries; nothing was written
    finally:
        cache.delete(_progress_key(roster_id))
    return RosterImport.objects.get(pk=roster_id)


def _write_all(roster: RosterImport) -> None:
    writer = RosterWriter(roster=roster, scheme=roster.scheme)
    done = 0
    checked = checked_rows_name(roster)
    try:
        lines = default_storage.open(checked, "rb")
    except OSError:
        raise RowsChanged from None
    with lines:
        text = io.TextIOWrapper(lines, encoding="utf-8")
        for batch in rechecked_batches(text, scheme=roster.scheme, actor=roster.uploaded_by):
            if not all(row.ok for row in batch):
                raise RowsChanged
            writer.write(batch)
            done += len(batch)
            cache.set(_progress_key(roster.pk), done, timeout=3600)
    if done != roster.enrolments_to_write:
        raise RowsChanged
    writer.finish()
    file_name = roster.file.name
    roster.status, roster.imported_at = RosterStatus.DONE, timezone.now()
    roster.rows_done, roster.percent = roster.rows_total, 100
    roster.new_members, roster.matched_members = writer.new_members, writer.matched_members
    roster.file = ""  # the only copy of the clear ID numbers goes once the rows are in
    roster.save()
    uploads.delete_after_commit(file_name)
    uploads.delete_after_commit(checked)
    logger.info("roster %s imported: %s enrolments", roster.pk, done)


RESUME_AFTER = timedelta(hours=1)  # well past a broker's redelivery (CELERY_VISIBILITY_TIMEOUT, 30 minutes)


def rosters_resume_stalled() -> int:
    """Queue again the validation or commit of imports stuck in a running state for over an hour (a task that
    failed for good, or a message the broker lost). Both tasks are safe to run twice; returns how many."""
    cutoff = timezone.now() - RESUME_AFTER
    stalled = RosterImport.objects.filter(updated_at__lt=cutoff)
    resumed = 0
    for status, task in ((RosterStatus.UPLOADED, VALIDATE_TASK), (RosterStatus.VALIDATING, VALIDATE_TASK),
                         (RosterStatus.IMPORTING, COMMIT_TASK)):
        for roster_id in stalled.filter(status=status).values_list("pk", flat=True):
            with transaction.atomic():
                RosterImport.objects.filter(pk=roster_id, status=status).update(updated_at=timezone.now())
                enqueue_on_commit(task, roster_id)
            resumed += 1
    return resumed


def roster_files_purge(*, older_than_days: int | None = None) -> int:
    """Delete uploaded roster files older than ROSTER_FILE_RETENTION_DAYS that were never imported (their
    imports end as failed when not done); returns how many went."""
    days = settings.ROSTER_FILE_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    purged = 0
    stale = RosterImport.objects.filter(created_at__lt=cutoff).exclude(Q(file="") | Q(status=RosterStatus.IMPORTING))
    for roster_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            roster = RosterImport.objects.select_for_update().filter(pk=roster_id).exclude(file="").first()
            if roster is None or roster.status == RosterStatus.IMPORTING:
                continue
            name = roster.file.name
            roster.file = ""
            if roster.status != RosterStatus.DONE:
                roster.status = RosterStatus.FAILED
                roster.failure = str(gettext_lazy("The uploaded file was deleted after %(days)s days.")
                                     % {"days": days})
            roster.save(update_fields=["file", "status", "failure", "updated_at"])
            uploads.delete_after_commit(name)
            uploads.delete_after_commit(f"{name}.checked")
            purged += 1
    return purged
