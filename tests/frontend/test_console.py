import pytest
from django.urls import reverse

from portal.notifications.models import Message

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_today_counts_pending_verifications_in_scope(people):
    response = client_for(people["officer"]).get(reverse("frontend:console:today"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="verifications-count">1<' in html  # the sibling city's pending member is not counted


def test_queue_lists_pending_members_of_the_subtree(people):
    response = client_for(people["officer"]).get(reverse("frontend:console:members"))
    html = response.content.decode()
    assert "张待审" in html
    assert "王会员" not in html  # verified: not in the default (pending) view
    assert "李乙市" not in html


def test_verify_without_javascript_redirects_back(people):
    client = client_for(people["officer"])
    url = reverse("frontend:console:member_verify", args=[people["pending"].pk])
    response = client.post(url, {"next": "/console/members/?status=pending"})
    assert response.status_code == 302
    assert response["Location"] == "/console/members/?status=pending"
    people["pending"].refresh_from_db()
    assert people["pending"].verification_status == "verified"
    assert Message.objects.filter(user=people["pending"].user, kind="member_verified").exists()
    again = client.post(url, follow=True)
    assert again.status_code == 200  # already verified: told, not an error page


def test_verify_with_htmx_returns_the_row_and_a_toast(people):
    client = client_for(people["officer"])
    url = reverse("frontend:console:member_verify", args=[people["pending"].pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="member-{people["pending"].pk}"' in html
    assert 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_reject_needs_a_reason_and_tells_the_member(people):
    client = client_for(people["officer"])
    url = reverse("frontend:console:member_reject", args=[people["pending"].pk])
    blank = client.post(url, {"reason": "  "})
    assert blank.status_code == 400
    people["pending"].refresh_from_db()
    assert people["pending"].verification_status == "pending"
    ok = client.post(url, {"reason": "工会名称不符"})
    assert ok.status_code == 302
    people["pending"].refresh_from_db()
    assert people["pending"].verification_status == "rejected"
    assert people["pending"].rejection_reason == "工会名称不符"
    assert Message.objects.filter(user=people["pending"].user, kind="member_rejected").exists()


def test_member_detail_and_filters_render(people, orgs):
    client = client_for(people["officer"])
    detail = client.get(reverse("frontend:console:member_detail", args=[people["pending"].pk]))
    assert detail.status_code == 200
    assert "张待审" in detail.content.decode()
    for status in ("pending", "verified", "rejected", "all", "bogus"):
        assert client.get(reverse("frontend:console:members"), {"status": status}).status_code == 200
    in_scope = client.get(reverse("frontend:console:members"), {"org": orgs["unit2"].pk})
    assert in_scope.status_code == 200
    bad = client.get(reverse("frontend:console:members"), {"org": "abc"})  # ignored, and the page says so
    assert bad.status_code == 200
    notes = [str(m) for m in bad.context["messages"]]
    assert len(notes) == 1 and "“工会”" in notes[0]  # the ignored filter is named
