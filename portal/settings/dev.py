"""Embedded development configuration used by `make run`: SQLite, eager Celery, console mail."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT, env

DEBUG = env.bool("DEBUG", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_DATA_ALLOWED = True
STRIPE_TEST_MODE = True
# localstripe, started by `make run` (STRIPE_PORT); cards only in test mode.
STRIPE_API_BASE = env("STRIPE_API_BASE", default=f"http://127.0.0.1:{env.int('STRIPE_PORT', default=8420)}")
PAYMENT_METHOD_TYPES = ["card"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root otherwise
