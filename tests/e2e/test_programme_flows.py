"""Recuperation programme flows in Chromium: a member applies (without JavaScript), an officer signed in with
TOTP approves and confirms from the queue, the member sees the new status; the pages pass axe (with JavaScript)."""

import pytest
from playwright.sync_api import expect

from bookings.models import Application, ApplicationStatus, QuotaAllocation
from portal.members.models import Role
from tests import factories
from tests.bookings import programme_builders as pb

from .conftest import login
from .test_quality import serious

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def batch(orgs):
    sanatorium = pb.sanatorium(orgs["province"], name="甲省工人疗休养院")
    return pb.batch(pb.programme(orgs["city"], title="劳模疗休养项目"), sanatorium, places=10)


def test_member_applies_officer_approves_and_confirms_member_sees_the_status(new_page, orgs, batch):
    member = factories.member(organisation=orgs["unit"], email="rest-e2e@example.com", real_name="钱疗养")
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="officer-prog@example.com")
    accessibility = {}

    page = new_page(language="en", javascript=False)  # applying works without JavaScript
    login(page, email="rest-e2e@example.com", password=factories.PASSWORD)
    page.get_by_role("link", name="Recuperation").first.click()
    item = page.locator(f"#batch-{batch.pk}")
    expect(item.get_by_test_id("eligible")).to_be_visible()
    expect(item.get_by_test_id("places-left")).to_contain_text("10")
    item.get_by_role("link", name="Apply").click()
    page.get_by_role("button", name="Confirm application").click()
    expect(page.locator(".field__error")).to_contain_text("Tick the box")  # the confirmation is asked for
    page.get_by_label("I have read the dates and the route").check()
    page.get_by_role("button", name="Confirm application").click()
    expect(page.locator("[data-testid=timeline] [data-action=submit]")).to_be_visible()
    expect(page.locator("[data-status=submitted]").first).to_be_visible()
    application = Application.objects.get(member=member)

    staff = new_page(language="en")
    login(staff, email="officer-prog@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    staff.goto("/console/")
    staff.locator(".subnav").get_by_role("link", name="Programmes").click()
    expect(staff.get_by_test_id("waiting-approve")).to_have_text("1")
    accessibility.update({staff.url: serious(staff)})
    staff.get_by_role("link", name="Open the queue").first.click()
    accessibility.update({staff.url: serious(staff)})
    staff.locator(f"#application-{application.pk}").get_by_role("button", name="Approve").click()
    expect(staff.locator("#toasts")).to_contain_text("钱疗养")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED

    page.reload()
    expect(page.locator("[data-status=approved]").first).to_be_visible()
    expect(page.locator("[data-testid=timeline] [data-action=approve]")).to_be_visible()

    staff.goto("/console/applications/?step=confirm")
    staff.locator(f"#application-{application.pk}").get_by_role("button", name="Confirm").click()
    expect(staff.locator("#toasts")).to_contain_text("钱疗养")
    staff.goto(f"/console/batches/{batch.pk}/")
    expect(staff.get_by_test_id("quota-tree")).to_be_visible()
    accessibility.update({staff.url: serious(staff)})
    staff.goto(f"/console/batches/{batch.pk}/roster/")
    expect(staff.locator(f"#participant-{application.pk}")).to_contain_text("钱疗养")
    accessibility.update({staff.url: serious(staff)})

    page.reload()
    expect(page.locator("[data-status=confirmed]").first).to_be_visible()
    expect(page.locator("[data-testid=timeline] [data-action=confirm]")).to_be_visible()
    page.goto("/applications/")
    expect(page.locator(f"#application-{application.pk} [data-status=confirmed]")).to_be_visible()

    reader = new_page(language="en")  # axe needs JavaScript: the member's pages again, in a second browser
    login(reader, email="rest-e2e@example.com", password=factories.PASSWORD)
    for path in ("/programmes/", f"/programmes/{batch.programme_id}/",
                 f"/programmes/{batch.programme_id}/batches/{batch.pk}/", "/applications/",
                 f"/applications/{application.pk}/", f"/applications/{application.pk}/withdraw/"):
        reader.goto(path)
        accessibility.update({path: serious(reader)})
    assert not {path: problems for path, problems in accessibility.items() if problems}


def test_officer_allocates_places_and_a_refusal_shows_beside_the_field(new_page, orgs, batch):
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="quota-e2e@example.com")
    root = QuotaAllocation.objects.get(batch=batch, parent=None)
    staff = new_page(language="en", javascript=False)
    login(staff, email="quota-e2e@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    staff.goto(f"/console/batches/{batch.pk}/")
    node = staff.locator(f"#quota-{root.pk}")
    node.get_by_text("Allocate places").click()
    node.get_by_label("Union").select_option(label="甲县总工会")
    node.get_by_label("Places", exact=True).fill("12")
    node.get_by_role("button", name="Allocate").click()
    expect(staff.locator(f"#quota-{root.pk} .field__error")).to_contain_text("At most")  # at most the free places
    assert not QuotaAllocation.objects.filter(batch=batch, organisation=orgs["county"]).exists()
    node = staff.locator(f"#quota-{root.pk}")
    node.get_by_label("Places", exact=True).fill("4")
    node.get_by_role("button", name="Allocate").click()
    expect(staff.locator("#toasts")).to_contain_text("甲县总工会")
    expect(staff.get_by_test_id("quota-tree")).to_contain_text("甲县总工会")
    assert QuotaAllocation.objects.get(batch=batch, organisation=orgs["county"]).places == 4
