"""The beat sweep delivers email/SMS copies whose task never ran, once, and only within its window."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.notifications.models import Message
from portal.notifications.sms import LocmemSmsBackend
from portal.notifications.tasks import deliver_due_messages


def _stranded(user, *, minutes_ago: float, kind: str = "member_verified") -> Message:
    """A message whose delivery task was lost (created without notify(), so no task ran)."""
    message = Message.objects.create(user=user, kind=kind, title=f"t{minutes_ago}", body="b")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return message


@pytest.mark.django_db
def test_the_sweep_sends_stranded_copies_once(member):
    stranded = _stranded(member.user, minutes_ago=30)
    assert deliver_due_messages() == 1
    assert [m.subject for m in mail.outbox] == [stranded.title]
    assert [phone for phone, _text in LocmemSmsBackend.outbox] == [member.user.phone]
    stranded.refresh_from_db()
    assert stranded.email_sent_at and stranded.sms_sent_at
    assert deliver_due_messages() == 0  # the next tick finds nothing left to send
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_leaves_fresh_messages_to_their_task_and_drops_stale_ones(member):
    _stranded(member.user, minutes_ago=2)
    _stranded(member.user, minutes_ago=3 * 24 * 60)
    assert deliver_due_messages() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_one_failing_delivery_does_not_hold_up_the_others(orgs, settings, caplog):
    from tests import factories

    settings.SMS_BACKEND = "tests.notifications.test_sweep.RefusingSmsBackend"
    refused = factories.member(organisation=orgs["unit"], phone="+8613900000999")
    fine = factories.member(organisation=orgs["unit"])
    _stranded(refused.user, minutes_ago=40)
    later = _stranded(fine.user, minutes_ago=30)
    assert deliver_due_messages() == 1
    later.refresh_from_db()
    assert later.sms_sent_at is not None
    assert "delivery failed" in caplog.text and "gateway refused the number" in caplog.text  # logged, not lost


class RefusingSmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        if phone.endswith("999"):
            raise OSError("gateway refused the number")
        LocmemSmsBackend().send(phone=phone, text=text)
