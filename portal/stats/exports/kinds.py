"""What each export kind writes: a header, the rows (streamed from a server-side cursor) and how many rows
to expect (for the progress bar). Exports carry no names, phone numbers or ID numbers: statistics only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingStatus, Stay, StayStatus
from mutualaid.models import Claim, ClaimStatus, Enrolment, EnrolmentStatus
from portal.members.models import Organisation
from portal.stats.models import Channel, ExportKind, ServiceKind, ServiceRecord
from portal.stats.summary import local_day_bounds

from .copy import Column, CopySource

CHUNK_ROWS = 5000


@dataclass
class Table:
    header: list
    rows: Iterable
    total: int
    # The same rows for the PostgreSQL COPY path of CSV exports (kinds without one use `rows`).
    copy: CopySource | None = None


def _labels(choices) -> Callable[[str], str]:
    names = {value: str(label) for value, label in choices}
    return lambda value: names.get(value, value)


def _stream(queryset, columns: tuple[str, ...], convert: Callable[[tuple], tuple] | None = None) -> Iterator[tuple]:
    for row in queryset.values_list(*columns).iterator(chunk_size=CHUNK_ROWS):
        yield convert(row) if convert else row


def service_records(organisation: Organisation, filters: dict) -> Table:
    records = ServiceRecord.objects.filter(organisation__path__startswith=organisation.path,
                                           date__range=(filters["start"], filters["end"]))
    if filters.get("kind"):
        records = records.filter(kind=filters["kind"])
    if filters.get("channel"):
        records = records.filter(channel=filters["channel"])
    kind, channel = _labels(ServiceKind.choices), _labels(Channel.choices)
    header = [_("Date"), _("Organisation"), _("Facility"), _("Kind"), _("Channel"), _("Model worker"),
              _("Skilled worker"), _("Programme trip"), _("Person-times"), _("Nights")]
    columns = ("date", "organisation__name", "facility__name", "kind", "channel", "model_worker", "skilled_worker",
               "programme_trip", "persons", "nights")
    ordered = records.order_by("date", "id")
    rows = _stream(ordered, columns, lambda r: (r[0], r[1], r[2] or "", kind(r[3]), channel(r[4]), *r[5:]))
    kinds = ("date", "text", "text", "label", "label", "bool", "bool", "bool", "int", "int")
    labels = {3: ServiceKind.choices, 4: Channel.choices}
    copy = CopySource(ordered.values(**{f"c{n}": F(name) for n, name in enumerate(columns)}),
                      [Column(f"c{n}", kinds[n], labels.get(n, ())) for n in range(len(columns))])
    return Table(header, rows, records.count(), copy)


def bookings(organisation: Organisation, filters: dict) -> Table:
    since, until = local_day_bounds(filters["start"], filters["end"])
    found = Booking.objects.filter(session__activity__facility__organisation__path__startswith=organisation.path,
                                   session__start__gte=since, session__start__lt=until)
    status = _labels(BookingStatus.choices)
    header = [_("Booking"), _("Session starts"), _("Facility"), _("Activity"), _("Member's union"), _("Seats"),
              _("Status"), _("Channel"), _("Amount (fen)"), _("Booked at")]
    columns = ("id", "session__start", "session__activity__facility__name", "session__activity__title",
               "member__organisation__name", "seats", "status", "channel", "amount_fen", "created_at")
    rows = _stream(found.order_by("session__start", "id"), columns, lambda r: (*r[:6], status(r[6]), *r[7:]))
    return Table(header, rows, found.count())


def stays(organisation: Organisation, filters: dict) -> Table:
    found = Stay.objects.filter(room_type__facility__organisation__path__startswith=organisation.path,
                                check_in__range=(filters["start"], filters["end"]))
    status = _labels(StayStatus.choices)
    header = [_("Stay"), _("Sanatorium"), _("Room type"), _("Member's union"), _("Check-in"), _("Check-out"),
              _("Rooms"), _("Status"), _("Channel"), _("Amount (fen)"), _("Union subsidy (fen)")]
    columns = ("id", "room_type__facility__name", "room_type__name", "member__organisation__name", "check_in",
               "check_out", "rooms", "status", "channel", "amount_fen", "subsidy_fen")
    rows = _stream(found.order_by("check_in", "id"), columns, lambda r: (*r[:7], status(r[7]), *r[8:]))
    return Table(header, rows, found.count())


def enrolments(organisation: Organisation, filters: dict) -> Table:
    found = Enrolment.objects.filter(scheme__organisation__path__startswith=organisation.path,
                                     cover_starts_on__range=(filters["start"], filters["end"]))
    status = _labels(EnrolmentStatus.choices)
    header = [_("Enrolment"), _("Scheme"), _("Scheme's union"), _("Member's union"), _("Shares"), _("Status"),
              _("Cover starts"), _("Contribution (fen)"), _("Source")]
    columns = ("id", "scheme__title", "scheme__organisation__name", "member__organisation__name", "shares", "status",
               "cover_starts_on", "amount_fen", "source")
    rows = _stream(found.order_by("cover_starts_on", "id"), columns, lambda r: (*r[:5], status(r[5]), *r[6:]))
    return Table(header, rows, found.count())


def claims(organisation: Organisation, filters: dict) -> Table:
    found = Claim.objects.filter(enrolment__scheme__organisation__path__startswith=organisation.path,
                                 event_on__range=(filters["start"], filters["end"]))
    status = _labels(ClaimStatus.choices)
    header = [_("Claim"), _("Scheme"), _("Member's union"), _("Event"), _("Event date"), _("Status"),
              _("Amount claimed (fen)"), _("Approved amount (fen)"), _("Submitted at")]
    columns = ("id", "enrolment__scheme__title", "enrolment__member__organisation__name", "event_type", "event_on",
               "status", "amount_claimed_fen", "approved_amount_fen", "created_at")
    rows = _stream(found.order_by("event_on", "id"), columns, lambda r: (*r[:5], status(r[5]), *r[6:]))
    return Table(header, rows, found.count())


FIGURE_COLUMNS = (
    ("person_times", _("Person-times")), ("online_person_times", _("Online person-times")),
    ("online_share", _("Online share (%)")), ("recuperation_trips", _("Recuperation trips")),
    ("skilled_worker_trips", _("Trips by skilled workers")), ("skilled_worker_share", _("Skilled-worker share (%)")),
    ("insured_person_times", _("Insured person-times")), ("nights", _("Nights")),
)


def summary(organisation: Organisation, filters: dict) -> Table:
    from portal.stats.summary import grouped

    groups = grouped(organisation, filters["start"], filters["end"], filters.get("group_by") or "month")
    header = [_("Group"), *[label for _key, label in FIGURE_COLUMNS]]
    rows = [[g["label"], *[g[key] for key, _label in FIGURE_COLUMNS]] for g in groups]
    return Table(header, rows, len(rows))


def asset_report(organisation: Organisation, filters: dict) -> Table:
    """The annual report as one table (CSV): each section's title, header and rows one after another."""
    from portal.stats.report import annual_report

    report = annual_report(organisation=organisation, year=filters["year"])
    rows: list[list] = []
    for section in report["sections"]:
        rows += [[section["title"]], section["header"], *section["rows"], []]
    return Table([_("Annual asset statistics report"), organisation.name, filters["year"]], rows, len(rows))


KINDS: dict[str, Callable[[Organisation, dict], Table]] = {
    ExportKind.SERVICE_RECORDS: service_records,
    ExportKind.SUMMARY: summary,
    ExportKind.ASSET_REPORT: asset_report,
    ExportKind.BOOKINGS: bookings,
    ExportKind.STAYS: stays,
    ExportKind.ENROLMENTS: enrolments,
    ExportKind.CLAIMS: claims,
}

__all__ = ["KINDS", "Table", "date"]
