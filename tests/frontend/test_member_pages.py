import pytest
from django.urls import reverse

from portal.notifications.services import notify

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_anonymous_home_and_account_pages_render_in_our_layout(client):
    for url in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'class="site-header"' in response.content, url
    signup = client.get("/accounts/signup/").content.decode()
    for field in ("real_name", "organisation", "id_number", "email", "phone", "password1"):
        assert f'name="{field}"' in signup


@pytest.mark.parametrize("url", ["/", "/me/", "/me/edit/", "/inbox/", "/accounts/2fa/", "/accounts/password/change/"])
def test_member_pages_render(people, url):
    response = client_for(people["member"].user).get(url)
    assert response.status_code == 200
    assert b'class="site-header"' in response.content


def test_member_pages_need_login(client):
    for url in ("/me/", "/me/edit/", "/inbox/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_pending_member_sees_why_they_cannot_book_yet(people):
    html = client_for(people["pending"].user).get("/").content.decode()
    assert "alert--warn" in html


def test_staff_see_the_console_link_and_members_do_not(people):
    assert reverse("frontend:console:today") in client_for(people["officer"]).get("/").content.decode()
    assert reverse("frontend:console:today") not in client_for(people["member"].user).get("/").content.decode()


def test_profile_edit_goes_through_the_service(people, orgs):
    member = people["member"]
    client = client_for(member.user)
    response = client.post(reverse("frontend:profile_edit"), {
        "real_name": "王新名", "organisation": orgs["unit2"].pk, "phone": "13912345678", "id_number": "",
    })
    assert response.status_code == 302
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.real_name == "王新名"
    assert member.organisation == orgs["unit2"]
    assert member.user.phone == "+8613912345678"
    assert member.verification_status == "pending"  # the service sends a changed name back to review


def test_profile_edit_shows_service_errors_on_the_field(people, orgs):
    client = client_for(people["member"].user)
    response = client.post(reverse("frontend:profile_edit"), {
        "real_name": "王会员", "organisation": orgs["unit"].pk, "phone": "", "id_number": "123",
    })
    assert response.status_code == 200
    assert "field--invalid" in response.content.decode()


def test_dependants_add_and_remove(people):
    member = people["member"]
    client = client_for(member.user)
    response = client.post(reverse("frontend:dependant_create"),
                           {"name": "王小红", "relation": "child", "birth_date": "2015-03-01"})
    assert response.status_code == 302
    dependant = member.dependants.get()
    future = client.post(reverse("frontend:dependant_create"),
                         {"name": "未来", "relation": "child", "birth_date": "2999-01-01"})
    assert future.status_code == 400
    other = client_for(people["pending"].user)
    assert other.post(reverse("frontend:dependant_delete", args=[dependant.pk])).status_code == 404
    assert client.post(reverse("frontend:dependant_delete", args=[dependant.pk])).status_code == 302
    assert not member.dependants.exists()


def test_inbox_marks_messages_read(people):
    user = people["member"].user
    first = notify(user=user, kind="member_verified", context={"name": "王", "organisation": "甲"})
    second = notify(user=user, kind="member_verified", context={"name": "王", "organisation": "乙"})
    client = client_for(user)
    html = client.get(reverse("frontend:inbox")).content.decode()
    assert html.count("list__item--unread") == 2
    partial = client.post(reverse("frontend:message_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    # The header's unread badge is swapped out of band: one message left unread.
    assert 'id="unread-badge" hx-swap-oob="true"' in partial.content.decode()
    assert ">1</span>" in partial.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    # Somebody else's message is not found.
    assert client_for(people["pending"].user).post(
        reverse("frontend:message_read", args=[second.pk])).status_code == 404
    client.post(reverse("frontend:message_read_all"))
    second.refresh_from_db()
    assert second.read_at is not None


def test_404_page_uses_the_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b'class="site-header"' in response.content
