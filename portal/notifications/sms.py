"""SMS gateway adapters. A backend has `send(phone, text)`; settings.SMS_BACKEND names the class."""

from __future__ import annotations

import logging
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from portal.privacy import mask_phone

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class LocmemSmsBackend:
    """Keeps sent messages in memory for tests, like Django's locmem email backend."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
