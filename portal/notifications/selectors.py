from django.db.models import QuerySet

from .models import Message


def message_list(*, user, unread_only: bool = False) -> QuerySet[Message]:
    qs = Message.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def message_unread_count(*, user) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).count()
