"""Backends for worker subprocesses in tests: an SMS gateway that takes its time, writing to files."""

import os
import time
import uuid
from pathlib import Path


class SlowFileSmsBackend:
    """Marks `sms-sending-*` when a send starts, sleeps SLOW_SMS_SECONDS, then writes `sms-sent-*`."""

    def send(self, *, phone: str, text: str) -> None:
        outbox = Path(os.environ["TEST_OUTBOX_DIR"])
        name = f"{uuid.uuid4().hex}-{os.getpid()}"
        (outbox / f"sms-sending-{name}").write_text(phone)
        time.sleep(float(os.environ.get("SLOW_SMS_SECONDS", "3")))
        (outbox / f"sms-sent-{name}").write_text(f"{phone}\n{text}")
