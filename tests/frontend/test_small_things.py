"""The icon, amounts, phone numbers and QR codes as people see them."""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from bookings import services as booking_services
from facilities.models import AssetRecord
from frontend.templatetags.ui import money, phone, yuan
from portal.qr import QUIET_ZONE, qr_svg
from tests.bookings import builders

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("frontend/favicon.ico")
    with open(finders.find("frontend/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    assert f'<link rel="icon" href="{static("frontend/favicon.ico")}"' in client.get("/").content.decode()


@pytest.mark.parametrize("fen, shown", [(0, "¥0.00"), (5, "¥0.05"), (3000, "¥30.00"), (123450, "¥1,234.50"),
                                        (18042000000, "¥180,420,000.00"), (-500, "-¥5.00"), (None, "—")])
def test_amounts_have_thousands_separators(fen, shown):
    assert yuan(fen) == shown


def test_prices_are_amounts_or_free():
    assert money(123450) == "¥1,234.50"
    assert money(0) in ("免费", "Free")
    assert money(99, "USD") == "USD 0.99"


def test_console_shows_book_values_and_prices_with_separators(people, orgs):
    palace = builders.palace(orgs["city"])
    AssetRecord.objects.create(facility=palace, year=2025, book_value_fen=123456789, land_area_m2=0,
                               floor_area_m2=4200, year_built=2009)
    activity = builders.activity(palace, title="油画进阶班", price_fen=123450)
    client = client_for(people["palace"])
    assert "¥1,234,567.89" in client.get(reverse("frontend:console:facility_detail", args=[palace.pk])).content.decode()
    assert "¥1,234.50" in client.get(reverse("frontend:console:activity_detail", args=[activity.pk])).content.decode()


@pytest.mark.parametrize("raw, readable, uri", [
    ("+8613800000001", "138 0000 0001", "tel:+8613800000001"),
    ("13800000001", "138 0000 0001", "tel:+8613800000001"),
    ("0571-87000001", "0571-8700 0001", "tel:+8657187000001"),
    ("010 1234 5678", "010-1234 5678", "tel:+861012345678"),
])
def test_phones_are_grouped_and_tap_to_call(raw, readable, uri):
    assert phone(raw) == f'<a class="tel" href="{uri}" translate="no">{readable}</a>'
    assert phone(raw, "text") == readable


def test_anything_else_is_shown_as_typed_and_escaped():
    assert phone("前台 张老师") == "前台 张老师"
    assert phone("") == "—"


def test_staff_see_member_phones_as_tap_to_call_links(people):
    member = people["pending"]  # the members list opens on the verification queue
    number = member.user.phone  # +86139........
    link = f'href="tel:{number}"'
    client = client_for(people["officer"])
    # The list masks phones (portal.privacy); the member's own page, whose opening is audited, has the full one.
    listing = client.get(reverse("frontend:console:members")).content.decode()
    assert link not in listing and f"{number[3:6]}****{number[-4:]}" in listing
    detail = client.get(reverse("frontend:console:member_detail", args=[member.pk])).content.decode()
    assert link in detail
    assert f"{number[3:6]} {number[6:10]} {number[10:]}" in detail


def test_facility_contact_number_is_tap_to_call_for_members(people, orgs):
    palace = builders.palace(orgs["city"])
    palace.contact = "0571-87000001"
    palace.save(update_fields=["contact"])
    html = client_for(people["member"].user).get(reverse("frontend:palace_detail", args=[palace.pk])).content.decode()
    assert '<a class="tel" href="tel:+8657187000001" translate="no">0571-8700 0001</a>' in html


def quiet_zone(svg: str) -> tuple[int, int]:
    """(modules of margin before the first dark module, symbol width in modules incl. margins) of a segno SVG."""
    size = int(re.search(r'd="M0 0h(\d+)v', svg).group(1))  # the light background covers the whole symbol
    dark = re.search(r'class="qrline"[^>]* d="M(\d+) (\d+)\.5', svg)
    assert dark.group(1) == dark.group(2)
    return int(dark.group(1)), size


@pytest.mark.parametrize("data", ["A7K9", "MK570QoQFAiCk2kh", "x" * 80])
def test_qr_codes_have_a_quiet_zone_of_four_modules_and_are_never_micro_qr(data):
    margin, size = quiet_zone(qr_svg(data))
    assert margin == QUIET_ZONE == 4
    assert (size - 2 * margin - 21) % 4 == 0 and size - 2 * margin >= 21  # a regular QR symbol: 21, 25, 29 ...


def test_ticket_qr_on_the_page_and_in_the_api_have_the_quiet_zone(people, orgs):
    palace = builders.palace(orgs["city"])
    session = builders.session(builders.activity(palace), capacity=5)
    member = people["member"]
    booking = booking_services.booking_create(member=member, session_id=session.pk)
    page = client_for(member.user).get(reverse("frontend:booking_detail", args=[booking.pk])).content.decode()
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert quiet_zone(svg)[0] == 4
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(member.user)
    response = api.get(f"/api/v1/bookings/{booking.pk}/ticket/")
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert 'xmlns="http://www.w3.org/2000/svg"' in body  # a standalone image needs its namespace
    assert quiet_zone(body)[0] == 4


def test_authenticator_qr_has_the_quiet_zone(people):
    """allauth draws the TOTP enrolment QR with the qrcode library; its default border is the standard's 4."""
    client = client_for(people["member"].user)
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password again first
        client.post(response["Location"], {"password": "test-pass-2026!"})
        response = client.get(reverse("mfa_activate_totp"))
    uri = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', response.content.decode()).group(1)
    svg = base64.b64decode(uri).decode()
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    coordinates = [float(n) for n in re.findall(r"[\d.]+", re.search(r' d="([^"]+)"', svg).group(1))]
    module = 1.0  # qrcode's SvgPathImage draws one unit per module
    assert min(coordinates) == 4 * module and width - max(coordinates) == 4 * module
