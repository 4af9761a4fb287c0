import pytest
from django.core import mail

from portal.notifications.models import Message
from portal.notifications.services import message_deliver, notify
from portal.notifications.sms import LocmemSmsBackend


@pytest.mark.django_db
def test_notify_records_in_app_and_sends_email_and_sms_in_the_users_language(member,
                                                                            django_capture_on_commit_callbacks):
    member.user.language = "en"
    member.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(user=member.user, kind="member_verified",
                         context={"name": member.real_name, "organisation": "Union X"})
    assert message.title == "Your membership is verified"
    assert mail.outbox[-1].subject == message.title and "Union X" in mail.outbox[-1].body
    assert LocmemSmsBackend.outbox[-1][0] == member.user.phone
    message.refresh_from_db()
    assert message.email_sent_at and message.sms_sent_at


@pytest.mark.django_db
def test_delivery_retried_sends_nothing_twice(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(user=member.user, kind="member_verified", context={"name": "x", "organisation": "y"})
    message_deliver(message_id=message.pk)
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1


@pytest.mark.django_db
def test_inbox_lists_own_messages_and_marks_read(member_api, member, orgs):
    from tests import factories

    other = factories.member(organisation=orgs["unit"])
    mine = Message.objects.create(user=member.user, kind="member_verified", title="t", body="b")
    theirs = Message.objects.create(user=other.user, kind="member_verified", title="t", body="b")
    assert [m["id"] for m in member_api.get("/api/v1/notifications/").json()["results"]] == [mine.pk]
    assert member_api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert member_api.post(f"/api/v1/notifications/{mine.pk}/read/").json()["read_at"]
    assert member_api.get("/api/v1/notifications/?unread=1").json()["count"] == 0
