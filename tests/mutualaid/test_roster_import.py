"""Work-unit roster import through the staff API (SQLite, eager Celery): upload, check, preview, error
report, confirm, and what ends up in the database."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from mutualaid.models import Enrolment, EnrolmentSource, EnrolmentStatus, RosterImport, RosterStatus
from mutualaid.roster import services
from mutualaid.services import record_insured_service
from portal.members.models import Member, Role, User, VerificationStatus
from portal.stats.models import RollupDirtyDay, ServiceKind, ServiceRecord, ServiceSource
from portal.stats.rollups import rollups_refresh
from tests import factories
from tests.conftest import staff_client

from .roster_files import broken_id_number, csv_bytes, id_number, make_scheme, person_name, phone, rows, xlsx_bytes

URL = "/api/v1/staff/rosters/"
SUMMARY = "/api/v1/stats/summary/"


@pytest.fixture
def roster_scheme(orgs):
    return make_scheme(orgs["city"])


@pytest.fixture
def roster_officer(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer_api(roster_officer, media):
    client = staff_client(roster_officer)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _upload(client, scheme, organisation, content: bytes, name: str = "名单.csv", capture=None):
    data = {"scheme": scheme.pk, "organisation": organisation.pk,
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}
    if capture is None:
        return client.post(URL, data, format="multipart")
    with capture(execute=True):
        return client.post(URL, data, format="multipart")


def _nothing_written():
    assert not Enrolment.objects.exists()
    assert not ServiceRecord.objects.filter(kind=ServiceKind.MUTUAL_AID).exists()
    assert not Member.objects.filter(user__email__endswith="@roster.invalid").exists()


def _stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_good_roster_previews_then_imports_every_row_once(officer_api, orgs, roster_scheme, media,
                                                         django_capture_on_commit_callbacks):
    existing = factories.member(organisation=orgs["unit"], id_number=id_number(0), real_name=person_name(0))
    content = csv_bytes(rows(6))
    response = _upload(officer_api, roster_scheme, orgs["unit"], content, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    roster_id = response.json()["id"]

    status = officer_api.get(f"{URL}{roster_id}/").json()
    assert status["status"] == "valid"
    assert (status["percent"], status["rows_done"], status["rows_total"]) == (100, 6, 6)
    assert (status["new_members"], status["matched_members"], status["errors_count"]) == (5, 1, 0)
    assert status["enrolments_to_write"] == 6 and status["error_report_url"] is None and status["finished"]
    _nothing_written()  # a preview writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = officer_api.post(f"{URL}{roster_id}/confirm/")
    assert response.status_code == 202
    status = officer_api.get(f"{URL}{roster_id}/").json()
    assert status["status"] == "done" and status["percent"] == 100

    enrolments = Enrolment.objects.filter(roster_import_id=roster_id)
    assert enrolments.count() == 6
    assert set(enrolments.values_list("source", flat=True)) == {EnrolmentSource.ROSTER}
    assert set(enrolments.values_list("status", flat=True)) == {EnrolmentStatus.ACTIVE}  # union-funded
    assert enrolments.filter(member=existing).exists()
    created = Member.objects.filter(user__email__endswith="@roster.invalid")
    assert created.count() == 5
    assert set(created.values_list("verification_status", flat=True)) == {VerificationStatus.PENDING}
    assert set(created.values_list("organisation", flat=True)) == {orgs["unit"].pk}
    assert not any(u.has_usable_password() for u in User.objects.filter(email__endswith="@roster.invalid"))
    assert User.objects.filter(phone=f"+86{phone(3)}").exists()
    assert ServiceRecord.objects.filter(kind=ServiceKind.MUTUAL_AID).count() == 6
    # the uploaded file (the only copy of the clear IDs) is gone
    roster = RosterImport.objects.get(pk=roster_id)
    assert not roster.file and not _stored_files(media)

    # running the commit task again (a retry or a redelivery) writes nothing more
    services.roster_commit(roster_id=roster_id)
    assert Enrolment.objects.count() == 6 and ServiceRecord.objects.count() == 6


def test_resident_ids_are_never_stored_in_clear(officer_api, orgs, roster_scheme, media,
                                               django_capture_on_commit_callbacks):
    content = csv_bytes(list(rows(3)) + [["坏号", broken_id_number(9), "", "1"]])
    response = _upload(officer_api, roster_scheme, orgs["unit"], content, capture=django_capture_on_commit_callbacks)
    roster_id = response.json()["id"]
    report = officer_api.get(f"{URL}{roster_id}/errors/")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    clear = [id_number(i) for i in range(3)] + [broken_id_number(9)]
    connection.ensure_connection()
    dump = "\n".join(connection.connection.iterdump()) if connection.vendor == "sqlite" else ""
    for number in clear:
        assert number not in text
        assert number not in dump
    assert broken_id_number(9)[-4:] in text and "*" * 14 in text


def test_bad_rows_are_reported_and_nothing_can_be_imported(officer_api, orgs, roster_scheme, media,
                                                          django_capture_on_commit_callbacks):
    other_union = factories.member(organisation=orgs["sibling_unit"], id_number=id_number(50),
                                   real_name=person_name(50))
    data = [
        [person_name(1), id_number(1), phone(1), "1"],
        [person_name(2), broken_id_number(2), phone(2), "1"],                  # checksum
        [person_name(3), id_number(3), phone(3), "9"],                         # shares above max
        [person_name(1), id_number(1), phone(4), "1"],                         # duplicate of row 2
        ["小明", id_number(5, born=__import__("datetime").date(2015, 1, 1)), "", "1"],  # too young
        [person_name(50), id_number(50), "", "1"],                             # member of another union
        ["=HYPERLINK(1)", id_number(7), "12", "1"],                            # bad name and phone
    ]
    response = _upload(officer_api, roster_scheme, orgs["unit"], csv_bytes(data),
                       capture=django_capture_on_commit_callbacks)
    roster_id = response.json()["id"]
    status = officer_api.get(f"{URL}{roster_id}/").json()
    assert status["status"] == "invalid"
    assert status["errors_count"] == 6
    report = officer_api.get(status["error_report_url"])
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["3", "4", "5", "6", "7", "8"]
    assert "2" in lines[3][3]  # "the same ID as row 2"
    assert lines[6][1].startswith("'=")  # formula-safe
    assert id_number(50) not in "".join(map(str, lines)) and other_union.real_name in lines[5][1]

    response = officer_api.post(f"{URL}{roster_id}/confirm/")
    assert response.status_code == 409
    _nothing_written()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8"])
def test_csv_in_chinese_encodings_is_read(officer_api, orgs, roster_scheme, encoding,
                                         django_capture_on_commit_callbacks):
    response = _upload(officer_api, roster_scheme, orgs["unit"], csv_bytes(rows(3), encoding=encoding),
                       capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202
    status = officer_api.get(f"{URL}{response.json()['id']}/").json()
    assert status["status"] == "valid" and status["new_members"] == 3


def test_xlsx_roster_with_numbers_as_cells(officer_api, orgs, roster_scheme, django_capture_on_commit_callbacks):
    data = [[person_name(i), id_number(i), int(phone(i)), 2] for i in range(4)]
    response = _upload(officer_api, roster_scheme, orgs["unit"], xlsx_bytes(data), name="roster.xlsx",
                       capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    status = officer_api.get(f"{URL}{response.json()['id']}/").json()
    assert status["status"] == "valid" and status["rows_total"] == 4


@pytest.mark.parametrize(("content", "name", "words"), [
    (csv_bytes(rows(2), header=["name", "id", "mobile", "count"]), "r.csv", "姓名, 身份证号, 手机号, 份数"),
    (b"", "r.csv", "empty"),
    (csv_bytes([]), "r.csv", "no people"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "roster.xlsx", "xlsx"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "roster.csv", "xlsx"),
    ("姓名,身份证号,手机号,份数\n张三,1,2,1\n".encode("utf-16"), "r.csv", "CSV UTF-8"),
])
def test_bad_files_are_refused_with_a_clear_error(officer_api, orgs, roster_scheme, media, content, name, words):
    response = _upload(officer_api, roster_scheme, orgs["unit"], content, name=name)
    assert response.status_code == 400
    message = " ".join(response.json()["errors"]["file"])
    assert words.lower() in message.lower() or words in message
    assert not RosterImport.objects.exists() and not _stored_files(media)


def test_a_50_mb_file_is_refused(officer_api, orgs, roster_scheme, media):
    response = _upload(officer_api, roster_scheme, orgs["unit"], b"a,b\n" * (13 * 1024 * 1024))
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert not RosterImport.objects.exists() and not _stored_files(media)


def test_only_unions_and_schemes_in_scope(officer_api, orgs, roster_scheme, media):
    response = _upload(officer_api, roster_scheme, orgs["sibling_unit"], csv_bytes(rows(1)))
    assert response.status_code == 400 and "organisation" in response.json()["errors"]
    response = _upload(officer_api, roster_scheme, orgs["county"], csv_bytes(rows(1)))  # not grassroots
    assert response.status_code == 400 and "organisation" in response.json()["errors"]
    closed = make_scheme(orgs["city"], status="closed")
    response = _upload(officer_api, closed, orgs["unit"], csv_bytes(rows(1)))
    assert response.status_code == 400 and "scheme" in response.json()["errors"]
    elsewhere = make_scheme(orgs["sibling"])
    response = _upload(officer_api, elsewhere, orgs["unit"], csv_bytes(rows(1)))
    assert response.status_code == 400 and "scheme" in response.json()["errors"]


def test_staff_of_a_sibling_union_cannot_see_or_confirm(officer_api, orgs, roster_scheme, media,
                                                       django_capture_on_commit_callbacks):
    roster_id = _upload(officer_api, roster_scheme, orgs["unit"], csv_bytes(rows(2)),
                        capture=django_capture_on_commit_callbacks).json()["id"]
    stranger = staff_client(factories.staff(organisation=orgs["sibling"], role=Role.MUTUALAID_OFFICER))
    assert stranger.get(f"{URL}{roster_id}/").status_code == 404
    assert stranger.post(f"{URL}{roster_id}/confirm/").status_code == 404
    assert stranger.get(f"{URL}{roster_id}/errors/").status_code == 404
    assert stranger.get(URL).json()["results"] == [] if "results" in stranger.get(URL).json() else True
    member_api = staff_client(factories.member(organisation=orgs["unit"]).user)
    assert member_api.get(f"{URL}{roster_id}/").status_code == 403
    _nothing_written()


def test_unit_payment_pending_when_the_scheme_is_not_union_funded(officer_api, orgs, media,
                                                                  django_capture_on_commit_callbacks):
    scheme = make_scheme(orgs["city"], union_funded=False)
    roster_id = _upload(officer_api, scheme, orgs["unit"], csv_bytes(rows(2, shares=2)),
                        capture=django_capture_on_commit_callbacks).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert officer_api.post(f"{URL}{roster_id}/confirm/").status_code == 202
    enrolments = Enrolment.objects.filter(roster_import_id=roster_id)
    assert set(enrolments.values_list("status", flat=True)) == {EnrolmentStatus.PENDING_PAYMENT}
    assert set(enrolments.values_list("amount_fen", flat=True)) == {6000}


def test_someone_enrolling_between_preview_and_confirm_fails_the_whole_import(
        officer_api, orgs, roster_scheme, media, django_capture_on_commit_callbacks):
    member = factories.member(organisation=orgs["unit"], id_number=id_number(1), real_name=person_name(1))
    roster_id = _upload(officer_api, roster_scheme, orgs["unit"], csv_bytes(rows(4)),
                        capture=django_capture_on_commit_callbacks).json()["id"]
    Enrolment.objects.create(scheme=roster_scheme, member=member, shares=1, status=EnrolmentStatus.ACTIVE,
                             cover_starts_on=roster_scheme.term_start, amount_fen=3000)
    with django_capture_on_commit_callbacks(execute=True):
        officer_api.post(f"{URL}{roster_id}/confirm/")
    status = officer_api.get(f"{URL}{roster_id}/").json()
    assert status["status"] == "failed" and status["failure"]
    assert Enrolment.objects.count() == 1
    assert not Member.objects.filter(user__email__endswith="@roster.invalid").exists()


def test_old_uploaded_files_are_purged(officer_api, orgs, roster_scheme, media, django_capture_on_commit_callbacks):
    roster_id = _upload(officer_api, roster_scheme, orgs["unit"], csv_bytes(rows(2)),
                        capture=django_capture_on_commit_callbacks).json()["id"]
    assert services.roster_files_purge(older_than_days=1) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.roster_files_purge(older_than_days=-1) == 1
    roster = RosterImport.objects.get(pk=roster_id)
    assert not roster.file and roster.status == RosterStatus.FAILED
    assert not [p for p in _stored_files(media) if "rosters" in str(p) and p.suffix == ".csv"
                and p.name != (roster.error_report.name or "-").rsplit("/", 1)[-1]]


def test_an_import_whose_task_was_lost_is_resumed(officer_api, orgs, roster_scheme, media,
                                                  django_capture_on_commit_callbacks):
    roster_id = _upload(officer_api, roster_scheme, orgs["unit"], csv_bytes(rows(3)),
                        capture=django_capture_on_commit_callbacks).json()["id"]
    # Confirmed, but the commit task never ran (lost with a broker); an hour later the sweep queues it again.
    RosterImport.objects.filter(pk=roster_id).update(status=RosterStatus.IMPORTING)
    assert services.rosters_resume_stalled() == 0
    RosterImport.objects.filter(pk=roster_id).update(updated_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.rosters_resume_stalled() == 1
    assert RosterImport.objects.get(pk=roster_id).status == RosterStatus.DONE
    assert Enrolment.objects.filter(roster_import_id=roster_id).count() == 3


def test_a_union_funded_roster_reaches_the_statistics_once(officer_api, orgs, roster_scheme, media,
                                                          django_capture_on_commit_callbacks):
    """The insured person-times of a work-unit roster show in the statistician's summary as soon as the rollups
    refresh (queued by the commit itself), each enrolment counted once however often the commit runs."""
    roster_id = _upload(officer_api, roster_scheme, orgs["unit"], csv_bytes(rows(6)),
                        capture=django_capture_on_commit_callbacks).json()["id"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert officer_api.post(f"{URL}{roster_id}/confirm/").status_code == 202
    assert len(callbacks) >= 2  # the commit task, then the rollups refresh the commit queued
    enrolments = Enrolment.objects.filter(roster_import_id=roster_id)
    cover = enrolments.values_list("cover_starts_on", flat=True).distinct().get()
    assert ServiceSource.objects.filter(source_type=ContentType.objects.get_for_model(Enrolment),
                                        source_id__in=enrolments.values("pk")).count() == 6
    assert not RollupDirtyDay.objects.exists()  # refreshed already

    statistician = staff_client(factories.staff(organisation=orgs["province"], role=Role.STATISTICIAN))
    period = {"org": orgs["city"].pk, "start": cover.replace(day=1).isoformat(), "end": cover.isoformat()}

    def insured() -> tuple[int, int]:
        by_day = statistician.get(SUMMARY, period).json()["totals"]["insured_person_times"]
        year = statistician.get(SUMMARY, {"org": orgs["city"].pk, "year": cover.year}).json()
        return by_day, year["totals"]["insured_person_times"]

    assert insured() == (6, 6)

    # A second delivery of the commit, one enrolment's record asked for again, another refresh: still 6.
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_commit(roster_id=roster_id)
        record_insured_service(enrolments.select_related("member__organisation").first())
    rollups_refresh()
    assert ServiceRecord.objects.filter(kind=ServiceKind.MUTUAL_AID).count() == 6
    assert ServiceSource.objects.count() == 6
    assert insured() == (6, 6)
