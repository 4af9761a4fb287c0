"""End-to-end flows in Chromium: sign-up with the emailed code, staff TOTP login and verification, languages."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.members.models import Member, Role

from .. import factories
from .conftest import code_from_mail, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_signs_up_and_staff_verify_them(new_page, orgs):
    page = new_page()
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.fill("input[name=email]", "xin@example.com")
    page.fill("input[name=phone]", "13912340001")
    page.fill("input[name=real_name]", "赵新会员")
    page.select_option("select[name=organisation]", str(orgs["unit"].pk))
    page.fill("input[name=password1]", "a-Long-pass-2026")
    page.fill("input[name=password2]", "a-Long-pass-2026")
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url("**/accounts/confirm-email/**")
    assert len(mail.outbox) == 1
    page.fill("input[name=code]", code_from_mail(mail.outbox[0].body))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    expect(page.locator(".alert--warn")).to_be_visible()  # waiting for the union to verify
    member = Member.objects.get(user__email="xin@example.com")
    assert member.verification_status == "pending"

    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="officer-e2e@example.com")
    staff = new_page(language="en")
    login(staff, email="officer-e2e@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    staff.goto("/console/")
    expect(staff.get_by_test_id("verifications-count")).to_have_text("1")
    staff.get_by_role("link", name="Open the queue").click()
    row = staff.locator(f"#member-{member.pk}")
    expect(row).to_contain_text("赵新会员")
    row.get_by_role("button", name="Verify").click()
    expect(staff.locator(f"#member-{member.pk}")).to_contain_text("Verified")
    expect(staff.locator("#toasts")).to_contain_text("赵新会员")
    member.refresh_from_db()
    assert member.verification_status == "verified"

    page.goto("/")
    expect(page.locator(".alert--warn")).to_have_count(0)
    expect(page.locator("header .badge--count")).to_have_text("1")  # the "you are verified" message


def test_staff_reject_with_a_reason_in_the_dialog(new_page, orgs):
    pending = factories.member(organisation=orgs["unit2"], verified=False, real_name="钱待审")
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="officer-rej@example.com")
    page = new_page(language="en")
    login(page, email="officer-rej@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    page.goto("/console/members/")
    row = page.locator(f"#member-{pending.pk}")
    row.get_by_role("link", name="Reject").click()
    dialog = page.locator(f"#reject-dialog-{pending.pk}")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason").fill("单位名称与证件不符")
    dialog.get_by_role("button", name="Reject").click()
    expect(page.locator("#toasts")).to_contain_text("钱待审")
    pending.refresh_from_db()
    assert pending.verification_status == "rejected"
    assert pending.rejection_reason == "单位名称与证件不符"


def test_members_cannot_open_the_console(new_page, orgs):
    factories.member(organisation=orgs["unit"], email="plain@example.com")
    page = new_page(language="en")
    login(page, email="plain@example.com", password=factories.PASSWORD)
    response = page.goto("/console/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_language_switch_and_large_text(new_page, orgs):
    member = factories.member(organisation=orgs["unit"], email="lang@example.com")
    page = new_page()
    login(page, email="lang@example.com", password=factories.PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.select_option("#pref-lang", "en")  # submits itself; the button is there for no-JS browsers
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    member.user.refresh_from_db()
    assert member.user.language == "en"

    page.get_by_role("button", name="Large text").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 20
