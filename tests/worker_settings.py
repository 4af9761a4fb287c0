"""Settings for Celery worker subprocesses started by tests (tests/notifications/test_redelivery.py).

The test settings, with mail and SMS written to files the test reads (the worker is another process, so
the in-memory outboxes are out of reach) and an SMS gateway slow enough to kill a worker in the middle.
"""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("TEST_OUTBOX_DIR")
SMS_BACKEND = "tests.worker_backends.SlowFileSmsBackend"
