"""The annual asset statistics report (工会资产统计年报) of an organisation's subtree for a year.

`annual_report()` returns the sections as plain rows (the printable page and the CSV export read it);
`write_annual_report()` writes them as one workbook, a sheet per section, with openpyxl's write-only
(constant-memory) workbook. Every figure comes from the same few queries, so the totals agree across
sheets: palace services + recuperation + mutual aid person-times = the per-child total, and so on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import IO

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from facilities.models import Facility, FacilityKind
from portal.exports import neutralise
from portal.members.models import Organisation, OrganisationLevel
from portal.payments.models import PAID_STATUSES, Payment

from .assets import latest_assets
from .models import Channel, DailyRollup, ServiceKind
from .summary import local_day_bounds, share
from .targets import targets_progress

PALACE_KINDS = (ServiceKind.ACTIVITY, ServiceKind.WALK_IN)


def _yuan(fen: int | None) -> float:
    return round((fen or 0) / 100, 2)


def _facilities_section(organisation: Organisation, year: int) -> dict:
    facilities = list(Facility.objects.filter(organisation__path__startswith=organisation.path)
                      .values("pk", "kind", "organisation__level"))
    assets = latest_assets([f["pk"] for f in facilities], year)
    groups: dict[tuple, list] = defaultdict(lambda: [0, 0, 0.0, 0.0])
    for f in facilities:
        g = groups[(f["kind"], f["organisation__level"])]
        record = assets.get(f["pk"])
        g[0] += 1
        if record:
            g[1] += record.book_value_fen
            g[2] += float(record.land_area_m2 or 0)
            g[3] += float(record.floor_area_m2 or 0)
    kinds, levels = dict(FacilityKind.choices), dict(OrganisationLevel.choices)
    rows = [[str(kinds.get(k, k)), str(levels.get(lv, lv)), g[0], _yuan(g[1]), round(g[2], 2), round(g[3], 2)]
            for (k, lv), g in sorted(groups.items())]
    total = ["", "", sum(r[2] for r in rows), round(sum(r[3] for r in rows), 2), round(sum(r[4] for r in rows), 2),
             round(sum(r[5] for r in rows), 2)]
    total[0] = str(_("Total"))
    return {"key": "facilities", "title": str(_("Facilities and assets")),
            "header": [str(_("Kind")), str(_("Owner level")), str(_("Facilities")), str(_("Book value (yuan)")),
                       str(_("Land area (m²)")), str(_("Floor area (m²)"))],
            "rows": rows, "total": total}


def _monthly(organisation: Organisation, year: int) -> dict:
    """{month: {kind: {...}}} from one query over the year's rollups."""
    rows = (DailyRollup.objects.filter(organisation__path__startswith=organisation.path,
                                       date__range=(date(year, 1, 1), date(year, 12, 31)))
            .annotate(month=TruncMonth("date")).values("month", "kind")
            .annotate(total=Coalesce(Sum("persons"), 0),
                      online=Coalesce(Sum("persons", filter=Q(channel=Channel.ONLINE)), 0),
                      skilled=Coalesce(Sum("persons", filter=Q(skilled_worker=True)), 0),
                      programme=Coalesce(Sum("persons", filter=Q(programme_trip=True)), 0),
                      nights_sum=Coalesce(Sum("nights"), 0)))
    months: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for r in rows:
        bucket = months[r["month"].month][r["kind"]]
        bucket["persons"] += r["total"]
        for key in ("online", "skilled", "programme"):
            bucket[key] += r[key]
        bucket["nights"] += r["nights_sum"]
    return months


def _sum(months, month: int, kinds, key: str) -> int:
    return sum(months[month][k][key] for k in kinds) if month in months else 0


def _service_sections(organisation: Organisation, year: int) -> list[dict]:
    months = _monthly(organisation, year)
    palace_rows, stay_rows, aid_rows = [], [], []
    for m in range(1, 13):
        label = f"{year}-{m:02d}"
        persons, online = _sum(months, m, PALACE_KINDS, "persons"), _sum(months, m, PALACE_KINDS, "online")
        palace_rows.append([label, persons, online, share(online, persons)])
        stay = [ServiceKind.STAY]
        trips, skilled = _sum(months, m, stay, "persons"), _sum(months, m, stay, "skilled")
        stay_rows.append([label, trips, skilled, share(skilled, trips), _sum(months, m, stay, "programme"),
                          _sum(months, m, stay, "nights")])
        aid_rows.append([label, _sum(months, m, [ServiceKind.MUTUAL_AID], "persons"),
                         _sum(months, m, [ServiceKind.MUTUAL_AID], "online")])

    def total(rows, shares: dict[int, tuple[int, int]]):
        out = [str(_("Total"))] + [sum(r[i] for r in rows) for i in range(1, len(rows[0]))]
        for col, (part, whole) in shares.items():
            out[col] = share(out[part], out[whole])
        return out

    return [
        {"key": "palaces", "title": str(_("Palace services")),
         "header": [str(_("Month")), str(_("Person-times")), str(_("Online person-times")),
                    str(_("Online share (%)"))],
         "rows": palace_rows, "total": total(palace_rows, {3: (2, 1)})},
        {"key": "recuperation", "title": str(_("Recuperation")),
         "header": [str(_("Month")), str(_("Recuperation trips")), str(_("Trips by skilled workers")),
                    str(_("Skilled-worker share (%)")), str(_("Programme trips")), str(_("Nights"))],
         "rows": stay_rows, "total": total(stay_rows, {3: (2, 1)})},
        {"key": "mutual_aid", "title": str(_("Mutual aid")),
         "header": [str(_("Month")), str(_("Insured person-times")), str(_("Enrolled online"))],
         "rows": aid_rows, "total": total(aid_rows, {})},
    ]


def _revenue_section(organisation: Organisation, year: int) -> dict:
    path = organisation.path
    since, until = local_day_bounds(date(year, 1, 1), date(year, 12, 31))
    paid = Payment.objects.filter(status__in=PAID_STATUSES, succeeded_at__gte=since, succeeded_at__lt=until)
    lines = (("booking__session__activity__facility__organisation__path__startswith", _("Activity bookings")),
             ("stay__room_type__facility__organisation__path__startswith", _("Sanatorium stays")),
             ("enrolment__scheme__organisation__path__startswith", _("Mutual aid contributions")))
    figures = paid.aggregate(**{
        f"{i}_{k}": Coalesce(Sum(field, filter=Q(**{lookup: path})), 0)
        for i, (lookup, _label) in enumerate(lines)
        for k, field in (("paid", "member_share_fen"), ("refunded", "refunded_fen"), ("subsidy", "subsidy_fen"))})
    rows = [[str(label), _yuan(figures[f"{i}_paid"] - figures[f"{i}_refunded"]), _yuan(figures[f"{i}_subsidy"])]
            for i, (_lookup, label) in enumerate(lines)]
    return {"key": "revenue", "title": str(_("Revenue and subsidy")),
            "header": [str(_("Source")), str(_("Revenue (yuan)")), str(_("Union subsidy (yuan)"))],
            "rows": rows, "total": [str(_("Total")), round(sum(r[1] for r in rows), 2),
                                    round(sum(r[2] for r in rows), 2)]}


def _targets_section(organisation: Organisation, year: int) -> dict:
    rows = [[t["label"], t["target"], t["actual"], t["progress"], t["year_elapsed"],
             "、".join(c["name"] for c in t["children_behind"])]
            for t in targets_progress(organisation=organisation, year=year)]
    return {"key": "targets", "title": str(_("Targets and progress")),
            "header": [str(_("Target")), str(_("Target value")), str(_("Actual")), str(_("Progress (%)")),
                       str(_("Year elapsed (%)")), str(_("Children behind"))],
            "rows": rows, "total": None}


def _children_section(organisation: Organisation, year: int) -> dict:
    child_key = Substr("organisation__path", 1, len(organisation.path) + Organisation.steplen)
    figures = {r["child"]: r for r in DailyRollup.objects.filter(
        organisation__path__startswith=organisation.path, date__range=(date(year, 1, 1), date(year, 12, 31)))
        .annotate(child=child_key).values("child").annotate(
            palace=Coalesce(Sum("persons", filter=Q(kind__in=PALACE_KINDS)), 0),
            online=Coalesce(Sum("persons", filter=Q(kind__in=PALACE_KINDS, channel=Channel.ONLINE)), 0),
            trips=Coalesce(Sum("persons", filter=Q(kind=ServiceKind.STAY)), 0),
            insured=Coalesce(Sum("persons", filter=Q(kind=ServiceKind.MUTUAL_AID)), 0))}
    facilities = dict(Facility.objects.filter(organisation__path__startswith=organisation.path)
                      .annotate(child=child_key).values("child").annotate(n=Count("pk")).values_list("child", "n"))
    children = list(Organisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
                    .order_by("name"))
    units = [(organisation.path, str(_("Directly at %(name)s") % {"name": organisation.name}))]
    units += [(c.path, c.name) for c in children]
    rows = []
    for path, name in units:
        f = figures.get(path, {})
        palace, online = f.get("palace", 0), f.get("online", 0)
        rows.append([name, facilities.get(path, 0), palace, online, share(online, palace), f.get("trips", 0),
                     f.get("insured", 0), palace + f.get("trips", 0) + f.get("insured", 0)])
    total = [str(_("Total"))] + [sum(r[i] for r in rows) for i in range(1, 8)]
    total[4] = share(total[3], total[2])
    return {"key": "children", "title": str(_("By child organisation")),
            "header": [str(_("Organisation")), str(_("Facilities")), str(_("Palace person-times")),
                       str(_("Online person-times")), str(_("Online share (%)")), str(_("Recuperation trips")),
                       str(_("Insured person-times")), str(_("All person-times"))],
            "rows": rows, "total": total}


def annual_report(*, organisation: Organisation, year: int) -> dict:
    """The report's sections (title, header, rows, total row) for the page, the CSV and the workbook."""
    sections = [_facilities_section(organisation, year), *_service_sections(organisation, year),
                _revenue_section(organisation, year), _targets_section(organisation, year),
                _children_section(organisation, year)]
    return {"organisation": organisation, "year": year, "title": str(_("Annual asset statistics report")),
            "sections": sections}


def _cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    value = neutralise(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_annual_report(fileobj: IO[bytes], *, organisation: Organisation, year: int) -> int:
    """The report as an XLSX workbook, a sheet per section; returns the number of data rows written."""
    report = annual_report(organisation=organisation, year=year)
    workbook = Workbook(write_only=True)
    written = 0
    for section in report["sections"]:
        sheet = workbook.create_sheet(title=section["title"][:31])
        sheet.append([_cell(sheet, f"{report['title']} · {organisation.name} · {year}", bold=True)])
        sheet.append([_cell(sheet, section["title"], bold=True)])
        sheet.append([_cell(sheet, h, bold=True) for h in section["header"]])
        for row in section["rows"]:
            sheet.append([_cell(sheet, v) for v in row])
            written += 1
        if section["total"]:
            sheet.append([_cell(sheet, v, bold=True) for v in section["total"]])
    workbook.save(fileobj)
    return written
