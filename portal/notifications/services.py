from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from portal.queue import enqueue_on_commit

from .kinds import KINDS
from .models import Message
from .sms import get_backend


def notify(*, user, kind: str, context: dict, link: str = "") -> Message:
    """Record an in-app message for `user` now; email/SMS copies go out from a task after commit."""
    spec = KINDS[kind]
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title = str(spec.title).format(**context)
        body = str(spec.body).format(**context)
    message = Message.objects.create(user=user, kind=kind, title=title, body=body, link=link)
    enqueue_on_commit("portal.notifications.tasks.deliver_message", message.pk)
    return message


def message_deliver(*, message_id: int) -> None:
    """Send the email and SMS copies once each; a retried task skips what was already sent."""
    message = Message.objects.select_related("user").filter(pk=message_id).first()
    if message is None:
        return
    spec = KINDS.get(message.kind)
    now = timezone.now()
    if spec and spec.email and message.email_sent_at is None and message.user.email:
        send_mail(message.title, message.body, None, [message.user.email])
        Message.objects.filter(pk=message.pk, email_sent_at__isnull=True).update(email_sent_at=now)
    if spec and spec.sms and message.sms_sent_at is None and message.user.phone:
        get_backend().send(phone=message.user.phone, text=f"【工会服务】{message.title}：{message.body}")
        Message.objects.filter(pk=message.pk, sms_sent_at__isnull=True).update(sms_sent_at=now)


def message_mark_read(*, message: Message) -> Message:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def message_mark_all_read(*, user) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
