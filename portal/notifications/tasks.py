from celery import shared_task

from .services import message_deliver, messages_deliver_due


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_message(message_id: int) -> None:
    message_deliver(message_id=message_id)


@shared_task
def deliver_due_messages() -> int:
    return messages_deliver_due()
