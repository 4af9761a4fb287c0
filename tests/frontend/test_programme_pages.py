"""Member pages of recuperation programmes: the list with "you are eligible" or why not, applying, the timeline,
withdrawing; every refusal is a clear message and changes nothing; odd ids are 404."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Application, ApplicationStatus, Batch
from bookings.services import applications as services
from tests import factories
from tests.bookings import programme_builders as pb

from .conftest import client_for as _signed_in


def client_for(user=None) -> Client:
    """A client reading the pages in English (the assertions do not depend on the Chinese catalogue)."""
    client = _signed_in(user) if user is not None else Client()
    client.cookies["django_language"] = "en"
    return client

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanatorium(orgs):
    return pb.sanatorium(orgs["province"], name="甲省工人疗休养院")


@pytest.fixture
def programme(orgs):
    return pb.programme(orgs["city"], title="劳模疗休养项目")


@pytest.fixture
def batch(programme, sanatorium):
    return pb.batch(programme, sanatorium, places=10)


def apply_url(batch) -> str:
    return reverse("frontend:batch_apply", args=[batch.programme_id, batch.pk])


def test_the_list_shows_each_batch_with_places_and_the_members_verdict(people, batch):
    page = client_for(people["member"].user).get(reverse("frontend:programmes"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "劳模疗休养项目" in html and "甲省工人疗休养院" in html and "杭州—龙井" in html
    assert 'data-testid="eligible"' in html
    assert "10 places left" in html
    assert apply_url(batch) in html


def test_anonymous_visitors_see_programmes_and_are_asked_to_log_in(batch):
    page = client_for().get(reverse("frontend:programmes"))
    assert page.status_code == 200
    assert "Log in as a member" in page.content.decode()
    assert client_for().get(apply_url(batch)).status_code == 302  # applying needs an account


def test_a_member_outside_the_category_sees_why_and_cannot_apply(orgs, people, sanatorium):
    skilled_only = pb.programme(orgs["city"], title="技能人才疗休养", categories=["skilled_worker"])
    batch = pb.batch(skilled_only, sanatorium)
    client = client_for(people["member"].user)
    html = client.get(reverse("frontend:programmes")).content.decode()
    assert 'data-testid="not-eligible"' in html and 'data-reason="category"' in html
    response = client.post(apply_url(batch), {"confirm": "on"})
    assert response.status_code == 409
    assert "particular groups of members" in response.content.decode()
    assert not Application.objects.exists()


def test_apply_confirm_then_the_timeline_shows_the_steps(people, batch):
    client = client_for(people["member"].user)
    assert client.get(apply_url(batch)).status_code == 200
    missing = client.post(apply_url(batch), {})
    assert missing.status_code == 400 and "Tick the box" in missing.content.decode()
    assert not Application.objects.exists()

    response = client.post(apply_url(batch), {"confirm": "on"})
    application = Application.objects.get(member=people["member"], batch=batch)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:application_detail", args=[application.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-action="submit"' in page
    assert "Approved by your union" in page and "Confirmed by the organisers" in page  # what comes next
    assert application.status == ApplicationStatus.SUBMITTED
    listing = client.get(reverse("frontend:application_list")).content.decode()
    assert "劳模疗休养项目" in listing and 'data-status="submitted"' in listing

    again = client.post(apply_url(batch), {"confirm": "on"})
    assert again.status_code == 409 and "already have an application" in again.content.decode()
    assert Application.objects.count() == 1


def test_a_closed_batch_says_so_and_nothing_is_created(people, programme, sanatorium):
    today = timezone.localdate()
    closed = pb.batch(programme, sanatorium, applications_open=today - timedelta(days=10),
                      applications_close=today - timedelta(days=1))
    client = client_for(people["member"].user)
    page = client.get(apply_url(closed)).content.decode()
    assert 'data-reason="closed"' in page and "Confirm application" not in page
    response = client.post(apply_url(closed), {"confirm": "on"})
    assert response.status_code == 409 and "Applications for this batch are open from" in response.content.decode()
    assert not Application.objects.exists()


def test_a_full_batch_is_refused_with_a_message(people, programme, sanatorium):
    batch = pb.batch(programme, sanatorium, places=1)
    other = factories.member(organisation=people["member"].organisation)
    officer = people["officer"]
    first = services.application_submit(member=other, programme_id=programme.pk, batch_id=batch.pk)
    services.application_approve(actor=officer, application_id=first.pk)
    client = client_for(people["member"].user)
    assert 'data-reason="full"' in client.get(apply_url(batch)).content.decode()
    response = client.post(apply_url(batch), {"confirm": "on"})
    assert response.status_code == 409 and "No places of this batch are left" in response.content.decode()
    assert Application.objects.filter(member=people["member"]).count() == 0


def test_withdraw_asks_first_then_the_timeline_ends(people, batch):
    member = people["member"]
    application = services.application_submit(member=member, programme_id=batch.programme_id, batch_id=batch.pk)
    client = client_for(member.user)
    url = reverse("frontend:application_withdraw", args=[application.pk])
    assert "Yes, withdraw it" in client.get(url).content.decode()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED  # GET changed nothing
    response = client.post(url)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    page = client.get(reverse("frontend:application_detail", args=[application.pk])).content.decode()
    assert 'data-action="withdraw"' in page and "Withdraw application" not in page


def test_a_rejection_reason_reaches_the_members_timeline(people, batch):
    member = people["member"]
    application = services.application_submit(member=member, programme_id=batch.programme_id, batch_id=batch.pk)
    services.application_reject(actor=people["officer"], application_id=application.pk, reason="名额优先给一线职工")
    page = client_for(member.user).get(reverse("frontend:application_detail", args=[application.pk]))
    html = page.content.decode()
    assert 'data-action="reject"' in html and "名额优先给一线职工" in html and 'data-status="rejected"' in html


def test_other_peoples_applications_and_odd_ids_are_404(people, batch, orgs):
    application = services.application_submit(member=people["member"], programme_id=batch.programme_id,
                                              batch_id=batch.pk)
    stranger = client_for(factories.member(organisation=orgs["unit"]).user)
    for url in (reverse("frontend:application_detail", args=[application.pk]),
                reverse("frontend:application_withdraw", args=[application.pk]),
                reverse("frontend:application_detail", args=[2**31 - 1]),
                reverse("frontend:programme_detail", args=[2**31 - 1]),
                reverse("frontend:batch_apply", args=[batch.programme_id, 2**31 - 1]),
                reverse("frontend:batch_apply", args=[2**31 - 1, batch.pk])):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(reverse("frontend:application_withdraw", args=[application.pk])).status_code == 404
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    assert stranger.get("/applications/99999999999999999999/").status_code == 404


def test_a_draft_programme_is_not_shown(orgs, people, sanatorium):
    draft = pb.programme(orgs["city"], title="草稿项目", status="draft")
    assert "草稿项目" not in client_for(people["member"].user).get(reverse("frontend:programmes")).content.decode()
    assert client_for().get(reverse("frontend:programme_detail", args=[draft.pk])).status_code == 404
    assert Batch.objects.count() == 0
