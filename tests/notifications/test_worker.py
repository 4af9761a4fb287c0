"""With a broker configured, notifications travel through a real Celery worker."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from portal.celery import app
from portal.notifications.models import Message
from portal.notifications.services import notify


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_email(member, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        message = notify(user=member.user, kind="member_verified", context={"name": "n", "organisation": "o"})
        for _ in range(100):
            message.refresh_from_db()
            if message.email_sent_at:
                break
            __import__("time").sleep(0.1)
    assert message.email_sent_at is not None
    assert any(m.subject == message.title for m in mail.outbox)
    assert Message.objects.filter(user=member.user).count() == 1
