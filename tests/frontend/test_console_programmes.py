"""Console pages of recuperation programmes: the two-step approval as the member sees it, the quota tree with
allocate and hand back, nominating, rosters (CSV/XLSX, formula-safe) with check-in/out, creating a programme and
a batch; refusals on the page with nothing changed; staff of a sibling union get 404."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bookings.models import Application, ApplicationStatus, Batch, Programme, QuotaAllocation
from bookings.services import applications as services
from bookings.services import quotas
from portal.members.models import Role
from portal.stats.models import ServiceRecord
from tests import factories
from tests.bookings import programme_builders as pb

from .conftest import client_for as _signed_in

pytestmark = pytest.mark.django_db


def client_for(user):
    """A staff (or member) client reading the pages in English, whatever the Chinese catalogue says."""
    client = _signed_in(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def sanatorium(orgs):
    return pb.sanatorium(orgs["province"], name="甲省工人疗休养院")


@pytest.fixture
def batch(orgs, sanatorium):
    return pb.batch(pb.programme(orgs["city"], title="劳模疗休养项目"), sanatorium, places=10)


@pytest.fixture
def officer(people):
    return client_for(people["officer"])  # union officer of the city union, which runs the programme


def root(batch) -> QuotaAllocation:
    return QuotaAllocation.objects.get(batch=batch, parent=None)


def test_console_pages_render_for_the_running_union(officer, people, batch):
    application = services.application_submit(member=people["member"], programme_id=batch.programme_id,
                                              batch_id=batch.pk)
    for name, args in (("programmes", []), ("programme_create", []), ("programme_detail", [batch.programme_id]),
                       ("batch_detail", [batch.pk]), ("approvals", []), ("application_detail", [application.pk]),
                       ("batch_nominate", [batch.pk]), ("batch_roster", [batch.pk])):
        response = officer.get(reverse(f"frontend:console:{name}", args=args))
        assert response.status_code == 200, name
    today = officer.get(reverse("frontend:console:today")).content.decode()
    assert reverse("frontend:console:programmes") in today  # the console menu has the section


def test_grassroots_approves_running_union_confirms_and_the_member_sees_it(orgs, people, batch):
    member = people["member"]  # of 甲县机械厂工会, under the county, under the city
    grassroots = client_for(factories.staff(organisation=orgs["unit"], role=Role.UNION_OFFICER))
    quotas.allocate(actor=people["officer"], allocation_id=root(batch).pk, organisation=orgs["county"], places=4)
    county = QuotaAllocation.objects.get(batch=batch, organisation=orgs["county"])
    quotas.allocate(actor=people["officer"], allocation_id=county.pk, organisation=orgs["unit"], places=2)
    member_client = client_for(member.user)
    member_client.post(reverse("frontend:batch_apply", args=[batch.programme_id, batch.pk]), {"confirm": "on"})
    application = Application.objects.get(member=member)

    queue = grassroots.get(reverse("frontend:console:approvals")).content.decode()
    assert f'id="application-{application.pk}"' in queue
    response = grassroots.post(reverse("frontend:console:application_detail", args=[application.pk]),
                               {"action": "approve", "next": reverse("frontend:console:approvals")})
    assert response.status_code == 302 and response["Location"] == reverse("frontend:console:approvals")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.allocation.organisation == orgs["unit"]  # the nearest union's place
    # the grassroots union does not run the batch: nothing for it to confirm
    assert f'id="application-{application.pk}"' not in grassroots.get(
        reverse("frontend:console:approvals"), {"step": "confirm"}).content.decode()

    runner = client_for(people["officer"])
    queue = runner.get(reverse("frontend:console:approvals"), {"step": "confirm"}).content.decode()
    assert f'id="application-{application.pk}"' in queue
    runner.post(reverse("frontend:console:application_detail", args=[application.pk]), {"action": "confirm"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED
    assert Batch.objects.get(pk=batch.pk).participants == 1

    page = member_client.get(reverse("frontend:application_detail", args=[application.pk])).content.decode()
    assert 'data-status="confirmed"' in page
    assert 'data-action="approve"' in page and 'data-action="confirm"' in page


def test_reject_needs_a_reason_and_the_member_reads_it(officer, people, batch):
    application = services.application_submit(member=people["member"], programme_id=batch.programme_id,
                                              batch_id=batch.pk)
    url = reverse("frontend:console:application_detail", args=[application.pk])
    empty = officer.post(url, {"action": "reject", "reason": "  "})
    assert empty.status_code == 400 and 'id="id_reason_error"' in empty.content.decode()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    officer.post(url, {"action": "reject", "reason": "今年名额优先给一线职工"})
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.REJECTED
    page = client_for(people["member"].user).get(reverse("frontend:application_detail", args=[application.pk]))
    assert "今年名额优先给一线职工" in page.content.decode()


def test_approving_twice_is_a_clear_message_not_an_error_page(officer, people, batch):
    application = services.application_submit(member=people["member"], programme_id=batch.programme_id,
                                              batch_id=batch.pk)
    url = reverse("frontend:console:application_detail", args=[application.pk])
    officer.post(url, {"action": "approve"})
    again = officer.post(url, {"action": "approve"})
    assert again.status_code == 409 and "cannot be changed this way" in again.content.decode()
    assert root(batch).used == 1
    odd = officer.post(url, {"action": "explode"})
    assert odd.status_code == 400


def test_allocate_and_hand_back_through_the_quota_tree(officer, orgs, batch):
    page = officer.get(reverse("frontend:console:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="quota-tree"' in page and "甲市总工会" in page
    url = reverse("frontend:console:quota_allocate", args=[root(batch).pk])
    prefix = f"a{root(batch).pk}"
    response = officer.post(url, {f"{prefix}-organisation": orgs["county"].pk, f"{prefix}-places": 4})
    assert response.status_code == 302
    county = QuotaAllocation.objects.get(batch=batch, organisation=orgs["county"])
    assert county.places == 4 and root(batch).allocated_to_children == 4

    too_many = officer.post(url, {f"{prefix}-organisation": orgs["unit2"].pk, f"{prefix}-places": 7})
    html = too_many.content.decode()
    assert too_many.status_code == 409
    assert f'id="id_{prefix}-places_error"' in html and "places free to allocate" in html  # beside the field
    assert not QuotaAllocation.objects.filter(batch=batch, organisation=orgs["unit2"]).exists()
    assert root(batch).allocated_to_children == 4

    not_a_child = officer.post(url, {f"{prefix}-organisation": orgs["unit"].pk, f"{prefix}-places": 1})
    assert not_a_child.status_code == 400  # the unit sits under the county, not directly under the city
    assert not QuotaAllocation.objects.filter(batch=batch, organisation=orgs["unit"]).exists()

    back = reverse("frontend:console:quota_hand_back", args=[county.pk])
    over = officer.post(back, {f"h{county.pk}-places": 5})
    assert over.status_code == 409 and f'id="id_h{county.pk}-places_error"' in over.content.decode()
    assert officer.post(back, {f"h{county.pk}-places": 3}).status_code == 302
    county.refresh_from_db()
    assert (county.places, county.handed_back, root(batch).allocated_to_children) == (1, 3, 1)


def test_sibling_union_staff_get_404_and_change_nothing(orgs, people, batch):
    application = services.application_submit(member=people["member"], programme_id=batch.programme_id,
                                              batch_id=batch.pk)
    sibling = client_for(people["sibling_officer"])
    for name, pk in (("programme_detail", batch.programme_id), ("batch_detail", batch.pk),
                     ("batch_roster", batch.pk), ("batch_roster_csv", batch.pk), ("batch_nominate", batch.pk),
                     ("application_detail", application.pk)):
        assert sibling.get(reverse(f"frontend:console:{name}", args=[pk])).status_code == 404, name
    assert sibling.post(reverse("frontend:console:application_detail", args=[application.pk]),
                        {"action": "approve"}).status_code == 404
    prefix = f"a{root(batch).pk}"
    assert sibling.post(reverse("frontend:console:quota_allocate", args=[root(batch).pk]),
                        {f"{prefix}-organisation": orgs["county"].pk, f"{prefix}-places": 1}).status_code == 404
    assert f"application-{application.pk}" not in sibling.get(reverse("frontend:console:approvals")).content.decode()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    assert QuotaAllocation.objects.filter(batch=batch).count() == 1
    assert sibling.get(reverse("frontend:console:batch_detail", args=[2**31 - 1])).status_code == 404
    assert sibling.get(reverse("frontend:console:approvals"), {"batch": "abc"}).status_code == 200


def test_a_member_is_not_allowed_in_the_console(people, batch):
    member = client_for(people["member"].user)
    assert member.get(reverse("frontend:console:programmes")).status_code == 403


def test_nominate_by_member_number(officer, orgs, people, batch):
    url = reverse("frontend:console:batch_nominate", args=[batch.pk])
    unknown = officer.post(url, {"member_number": "000000"})
    assert unknown.status_code == 400 and 'id="id_member_number_error"' in unknown.content.decode()
    stranger = factories.member(organisation=orgs["sibling_unit"])
    assert officer.post(url, {"member_number": stranger.member_number}).status_code == 400
    response = officer.post(url, {"member_number": people["member"].member_number})
    application = Application.objects.get(member=people["member"])
    assert response.status_code == 302 and application.nominated
    page = client_for(people["member"].user).get(reverse("frontend:application_detail", args=[application.pk]))
    assert 'data-action="nominate"' in page.content.decode()


def test_roster_exports_are_formula_safe_and_staff_check_in_and_out(officer, orgs, people, batch):
    orgs["unit"].name = "=HYPERLINK(\"http://x\")"
    orgs["unit"].save(update_fields=["name"])
    member = people["member"]
    application = services.application_submit(member=member, programme_id=batch.programme_id, batch_id=batch.pk)
    services.application_approve(actor=people["officer"], application_id=application.pk)
    services.application_confirm(actor=people["officer"], application_id=application.pk)

    rows = list(csv.reader(io.StringIO(b"".join(officer.get(reverse(
        "frontend:console:batch_roster_csv", args=[batch.pk])).streaming_content).decode("utf-8-sig"))))
    assert rows[1][0] == member.real_name and rows[1][2].startswith("'=")
    xlsx = officer.get(reverse("frontend:console:batch_roster_xlsx", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert str(sheet.cell(row=2, column=3).value).startswith("'=")

    roster_url = reverse("frontend:console:batch_roster", args=[batch.pk])
    detail = reverse("frontend:console:application_detail", args=[application.pk])
    early = officer.post(detail, {"action": "check_in", "next": roster_url})
    assert early.status_code == 409 and "check in between" in early.content.decode()
    today = timezone.localdate()
    Batch.objects.filter(pk=batch.pk).update(start_date=today, end_date=today + timedelta(days=5),
                                             applications_close=today - timedelta(days=1),
                                             handback_cutoff=today - timedelta(days=1))
    assert officer.post(detail, {"action": "check_in", "next": roster_url})["Location"] == roster_url
    assert "Check out" in officer.get(roster_url).content.decode()
    officer.post(detail, {"action": "check_out", "next": roster_url})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert ServiceRecord.objects.filter(organisation=member.organisation, programme_trip=True).count() == 1


def test_create_a_programme_and_a_batch(officer, orgs, sanatorium):
    bad = officer.post(reverse("frontend:console:programme_create"), {"organisation": orgs["sibling"].pk})
    assert bad.status_code == 400 and not Programme.objects.exists()
    response = officer.post(reverse("frontend:console:programme_create"), {
        "organisation": orgs["city"].pk, "title": "2027 一线职工疗休养", "year": 2027, "description": "",
        "min_model_worker_level": "none", "categories": ["frontline"], "min_membership_years": 1,
        "once_in_years": 2, "priority_never_been": "on", "skilled_share_percent": 20, "status": "open"})
    programme = Programme.objects.get(title="2027 一线职工疗休养")
    assert response.status_code == 302 and programme.categories == ["frontline"]

    url = reverse("frontend:console:programme_detail", args=[programme.pk])
    start = timezone.localdate() + timedelta(days=40)
    data = {"sanatorium": sanatorium.pk, "start_date": start.isoformat(),
            "end_date": (start - timedelta(days=1)).isoformat(), "places": 20, "route": "杭州—千岛湖",
            "applications_open": timezone.localdate().isoformat(),
            "applications_close": (start - timedelta(days=10)).isoformat(),
            "handback_cutoff": (start - timedelta(days=12)).isoformat()}
    wrong = officer.post(url, data)
    assert wrong.status_code == 400 and 'id="id_end_date_error"' in wrong.content.decode()
    assert not Batch.objects.exists()
    data["end_date"] = (start + timedelta(days=5)).isoformat()
    response = officer.post(url, data)
    batch = Batch.objects.get(programme=programme)
    assert response.status_code == 302 and response["Location"] == reverse("frontend:console:batch_detail",
                                                                          args=[batch.pk])
    assert root(batch).places == 20 and root(batch).skilled_reserved == 4


def test_the_sanatoriums_staff_check_participants_in_from_the_roster(orgs, people, batch):
    member = people["member"]
    application = services.application_submit(member=member, programme_id=batch.programme_id, batch_id=batch.pk)
    waiting = services.application_submit(member=factories.member(organisation=orgs["unit"]),
                                          programme_id=batch.programme_id, batch_id=batch.pk)
    services.application_approve(actor=people["officer"], application_id=application.pk)
    services.application_confirm(actor=people["officer"], application_id=application.pk)
    today = timezone.localdate()
    Batch.objects.filter(pk=batch.pk).update(start_date=today, end_date=today + timedelta(days=5),
                                             applications_close=today - timedelta(days=1),
                                             handback_cutoff=today - timedelta(days=1))
    desk = client_for(factories.staff(organisation=orgs["province"], role=Role.FACILITY_MANAGER))
    roster_url = reverse("frontend:console:batch_roster", args=[batch.pk])
    roster = desk.get(roster_url).content.decode()
    assert f'id="participant-{application.pk}"' in roster and f"participant-{waiting.pk}" not in roster
    check = reverse("frontend:console:participant_check", args=[application.pk])
    assert desk.post(check, {"action": "check_in", "next": roster_url})["Location"] == roster_url
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.CHECKED_IN
    assert desk.get(reverse("frontend:console:application_detail", args=[application.pk])).status_code == 403
    odd = desk.post(check, {"action": "approve"})
    assert odd.status_code == 302 and Application.objects.get(pk=application.pk).status == "checked_in"
    other_desk = client_for(factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER))
    assert other_desk.get(roster_url).status_code == 404
    assert other_desk.post(check, {"action": "check_out"}).status_code == 404
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.CHECKED_IN
