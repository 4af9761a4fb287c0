"""Test configuration: the embedded defaults, or PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set."""

from .base import *  # noqa: F403
from .base import CACHES, STATIC_ROOT

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "portal.notifications.sms.LocmemSmsBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_DATA_ALLOWED = True
STRIPE_TEST_MODE = True
# Nothing listens on port 9: a test that reaches Stripe without the localstripe fixture fails fast.
STRIPE_API_BASE = "http://127.0.0.1:9"
STRIPE_MAX_NETWORK_RETRIES = 0
PAYMENT_METHOD_TYPES = ["card"]
if "KEY_PREFIX" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = "portal-test"

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root otherwise
# Tasks run in-process so each test sees their effects; tests marked celery_worker start a real worker
# on the broker (CELERY_BROKER_URL) and switch eager mode off for their duration.
CELERY_TASK_ALWAYS_EAGER = True
# Serve /media/ through portal.uploads.media_view, as development does, so tests see the served headers.
SERVE_MEDIA = True
