"""Walk every console URL as an outsider and expect 403 (lists, pages) or 404 (objects), never data."""

import pytest
from django.urls import URLPattern, reverse

from frontend.urls import console_patterns

from .conftest import client_for

pytestmark = pytest.mark.django_db


def console_urls(member_pk: int) -> list[tuple[str, str]]:
    """(method, url) for every route of the console, objects filled in with `member_pk`."""
    urls = []
    for pattern in console_patterns[0]:
        assert isinstance(pattern, URLPattern)
        kwargs = {"pk": member_pk} if "pk" in pattern.pattern.converters else {}
        url = reverse(f"frontend:console:{pattern.name}", kwargs=kwargs)
        method = "post" if pattern.name.endswith(("verify", "reject")) else "get"
        urls.append((method, url))
    return urls


def test_console_routes_are_all_walked():
    names = {p.name for p in console_patterns[0]}
    assert {"today", "members", "member_detail", "member_verify", "member_reject"} <= names


def test_anonymous_users_are_sent_to_login(people):
    from django.test import Client

    for method, url in console_urls(people["pending"].pk):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_members_get_403_on_every_console_url(people):
    client = client_for(people["member"].user)
    for method, url in console_urls(people["pending"].pk):
        response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
        assert response.status_code == 403, url
        assert b"site-header" in response.content  # our own 403 page, not a bare one
    people["pending"].refresh_from_db()
    assert people["pending"].verification_status == "pending"


def test_staff_without_mfa_are_sent_to_totp_setup(people):
    client = client_for(people["no_mfa"])
    response = client.get(reverse("frontend:console:today"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_sibling_union_staff_get_404_for_objects_and_403_for_lists(people, orgs):
    client = client_for(people["sibling_officer"])
    pk = people["pending"].pk
    assert client.get(reverse("frontend:console:member_detail", args=[pk])).status_code == 404
    assert client.post(reverse("frontend:console:member_verify", args=[pk])).status_code == 404
    assert client.post(reverse("frontend:console:member_reject", args=[pk]), {"reason": "no"}).status_code == 404
    # Asking for the list of a union outside their subtree is refused outright.
    response = client.get(reverse("frontend:console:members"), {"org": orgs["city"].pk, "status": "all"})
    assert response.status_code == 403
    # Their own list never shows the other city's members.
    own = client.get(reverse("frontend:console:members"), {"status": "all"})
    assert own.status_code == 200
    assert "张待审" not in own.content.decode()
    assert "李乙市" in own.content.decode()
    people["pending"].refresh_from_db()
    assert people["pending"].verification_status == "pending"


def test_unknown_member_is_404_for_staff(people):
    client = client_for(people["officer"])
    assert client.get(reverse("frontend:console:member_detail", args=[999999])).status_code == 404
    assert client.post(reverse("frontend:console:member_verify", args=[999999])).status_code == 404


def test_a_role_without_member_rights_sees_no_members_area(people):
    client = client_for(people["palace"])
    today = client.get(reverse("frontend:console:today"))
    assert today.status_code == 200
    assert reverse("frontend:console:members") not in today.content.decode()
    for method, url in console_urls(people["pending"].pk):
        if url == reverse("frontend:console:today"):
            continue
        assert getattr(client, method)(url).status_code == 403, url
