from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation

from portal.queue import enqueue_on_commit

from .kinds import KINDS
from .models import Message
from .sms import get_backend

logger = logging.getLogger(__name__)


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


def messages_deliver_due(*, limit: int = 200) -> int:
    """Beat sweep: send the email and SMS copies no task sent (the task was lost with a broker or killed past
    its retries). Messages younger than MESSAGE_REDELIVER_AFTER_MINUTES are left to their own task; older than
    MESSAGE_REDELIVER_WITHIN_HOURS are stale news and not sent late. Delivery stays at least once."""
    moment = timezone.now()
    email_kinds = [name for name, spec in KINDS.items() if spec.email]
    sms_kinds = [name for name, spec in KINDS.items() if spec.sms]
    unsent = (Q(kind__in=email_kinds, email_sent_at__isnull=True, user__email__gt="")
              | Q(kind__in=sms_kinds, sms_sent_at__isnull=True, user__phone__gt=""))
    due = list(Message.objects.filter(
        unsent,
        created_at__lte=moment - timedelta(minutes=settings.MESSAGE_REDELIVER_AFTER_MINUTES),
        created_at__gt=moment - timedelta(hours=settings.MESSAGE_REDELIVER_WITHIN_HOURS),
    ).order_by("created_at").values_list("pk", flat=True)[:limit])
    delivered = 0
    for message_id in due:
        try:
            message_deliver(message_id=message_id)
        except Exception:  # noqa: BLE001 - one refused address or gateway error must not hold up the rest
            logger.exception("message %s: delivery failed, retried at the next sweep", message_id)
        else:
            delivered += 1
    return delivered


def message_mark_read(*, message: Message) -> Message:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def message_mark_all_read(*, user) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
