"""Production: every secret from the environment, HTTPS only, PostgreSQL and Redis required.

Missing or placeholder values stop the process at import with ImproperlyConfigured, so a
misconfigured container fails its first start instead of serving with a dev default.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BENCH_BARE_VIEW, DATABASES, env

# .env.example ships values starting with this prefix; they must never reach a running server.
PLACEHOLDER_PREFIX = "change-me"
# A key anyone could guess forges sessions (SECRET_KEY) or turns resident ID hashes back into numbers by trying
# the 10^8 or so valid numbers (ID_NUMBER_HMAC_KEY). token_urlsafe(50) gives 67 characters from 64.
SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT_CHARACTERS = 12
GENERATE_KEY_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'


def _check_strength(name: str, value: str) -> str:
    """Refuse short or repetitive keys; the message never repeats the value (it ends up in logs)."""
    if len(value) < SECRET_MIN_LENGTH or len(set(value)) < SECRET_MIN_DISTINCT_CHARACTERS:
        raise ImproperlyConfigured(
            f"{name} is too weak: it needs at least {SECRET_MIN_LENGTH} random characters, at least "
            f"{SECRET_MIN_DISTINCT_CHARACTERS} of them different. Generate one with: {GENERATE_KEY_COMMAND}")
    return value


def _required_secret(name: str) -> str:
    value = env(name)  # raises ImproperlyConfigured when unset
    if not value.strip() or value.startswith(PLACEHOLDER_PREFIX):
        raise ImproperlyConfigured(f"Set {name} to a real secret; the .env.example placeholder is not allowed. "
                                   f"Generate one with: {GENERATE_KEY_COMMAND}")
    return _check_strength(name, value)


DEBUG = False
if BENCH_BARE_VIEW:
    raise ImproperlyConfigured("BENCH_BARE_VIEW is for benchmarks only (bench/hot_paths.py): unset it in production.")
SECRET_KEY = _required_secret("SECRET_KEY")
# Old keys still accepted for signatures (sessions, reset links) while a new SECRET_KEY rolls out.
SECRET_KEY_FALLBACKS = [_check_strength("SECRET_KEY_FALLBACKS", key)
                        for key in env.list("SECRET_KEY_FALLBACKS", default=[])]
# Keyed hash of resident ID numbers. Rotating it orphans every stored hash: see docs/operations.md.
ID_NUMBER_HMAC_KEY = _required_secret("ID_NUMBER_HMAC_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DEMO_DATA_ALLOWED = False
STRIPE_TEST_MODE = env.bool("STRIPE_TEST_MODE", default=False)

# base.py falls back to SQLite and eager Celery; production must name its database and its Redis.
env.db("DATABASE_URL")
env("REDIS_URL")
if str(DATABASES["default"].get("PASSWORD", "")).startswith(PLACEHOLDER_PREFIX):
    raise ImproperlyConfigured("The database password is still the .env.example placeholder.")
# Behind pgbouncer in transaction pooling mode server-side cursors (QuerySet.iterator()) must be off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)

# Real mail: EMAIL_URL such as smtp+tls://user:password@smtp.example.com:587 (django-environ syntax).
if env("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP to gunicorn
# Cookies only over HTTPS; the __Host- prefix also pins them to this exact host and path "/".
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_NAME = "__Host-django_language"
SESSION_COOKIE_HTTPONLY = True

