"""Settings shared by every environment; values come from the environment (django-environ).

Grouped by topic, one section each; add a new setting to the section it belongs to (or a new section
before "Domain settings") rather than appending at the end. dev.py, test.py and production.py override.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

# --- Core ---------------------------------------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
# Separate key for resident ID hashes, so rotating SECRET_KEY never orphans them.
ID_NUMBER_HMAC_KEY = env("ID_NUMBER_HMAC_KEY", default="dev-only-id-number-key")
DEBUG = env.bool("DEBUG", default=False)
# A bare view at /bench/bare/ (portal/bench_views.py): the middleware stack alone, the baseline of
# bench/hot_paths.py. Benchmarks only: production.py refuses to start with it on.
BENCH_BARE_VIEW = env.bool("BENCH_BARE_VIEW", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies under our control in front of the app (docs/operations.md, "Reverse proxy"). The client
# address is read from X-Forwarded-For only this many hops deep (portal/client_ip.py); 0 ignores the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# --- Apps, middleware, templates ----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "allauth.usersessions",
    "portal.members",
    "portal.notifications",
    "portal.stats",
    "facilities",
    "bookings",
    "mutualaid",
    "frontend",
    "django_htmx",
    "template_partials",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.security_headers.PermissionsPolicyMiddleware",
    "portal.ratelimits.RetryAfterMiddleware",
    "portal.db.BusyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.bodylimits.JSONBodyLimitsMiddleware",  # no JSON body too deep or large for any view (allauth's too)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.members.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "frontend.middleware.DomainErrorMiddleware",  # DomainError -> 403/404/409 pages (API paths: JSON)
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # frontend/templates as a DIRS entry overrides allauth templates (allauth precedes frontend in INSTALLED_APPS).
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.ui",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and Celery eager tasks share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Bounded waits on PostgreSQL (milliseconds, 0 = unbounded): a request queued behind a row lock gives up
# after DB_LOCK_TIMEOUT_MS and answers 503 "busy, try again" (portal/db.py). The statement limit stays
# under gunicorn's 30 s timeout so the client gets that answer rather than a killed worker.
# Celery worker processes switch to the TASK_DB_* limits when they start (portal/celery.py).
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=3_000)
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=25_000)
TASK_DB_LOCK_TIMEOUT_MS = env.int("TASK_DB_LOCK_TIMEOUT_MS", default=10_000)
TASK_DB_STATEMENT_TIMEOUT_MS = env.int("TASK_DB_STATEMENT_TIMEOUT_MS", default=600_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = " ".join(filter(None, [
        _db_options.get("options", ""),
        f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
    ]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions (browser cookies and allauth app tokens alike) are read on every request: serve them from the cache,
# with the database behind it so a cache flush logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Internationalisation -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files and media ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Celery -------------------------------------------------------------------------------------------------
# Without a broker the tasks run eagerly in-process (the embedded configuration).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# acks_late: Redis keeps a task until it finished; one whose worker died is handed out again after the
# visibility timeout. It must exceed the longest task (else a running task is delivered twice) and every
# countdown/ETA (use beat sweeps instead of long countdowns). Each kind of work also has a beat sweep, so
# recovery never waits on this alone (docs/operations.md, "Celery").
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1800)}
# Each app's periodic sweeps are listed in "Domain settings" below.
CELERY_BEAT_SCHEDULE: dict = {}

# --- Email and SMS ------------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# The portal's name in mail subjects and greetings (never the request's host name).
SITE_NAME = _("Union member services")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="工会服务平台 <noreply@portal.example>")
SMS_BACKEND = env("SMS_BACKEND", default="portal.notifications.sms.ConsoleSmsBackend")

# --- Authentication: Django auth and django-allauth ---------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.members.password_validation.MinimumLengthValidator"},  # translated message
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"

# allauth: email or phone login, mandatory email verification by code, TOTP MFA.
ACCOUNT_ADAPTER = "portal.members.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
# Phone is optional for allauth (staff accounts have none); MemberSignupForm requires it from members.
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.members.forms.MemberSignupForm"
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Login limits key on the same client address as the API throttles (the adapter uses portal.client_ip).
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "工会服务平台"
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False
HEADLESS_SERVE_SPECIFICATION = False
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
    "account_signup": "/accounts/signup/",
}

# --- REST API: DRF and the OpenAPI schema -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.members.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["portal.filters.FilterSetBackend"],
    # The API takes JSON (uploads name their own parsers), with a depth and size cap (portal/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["portal.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "portal.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    # Keyed on portal.client_ip (TRUSTED_PROXY_COUNT); NUM_PROXIES keeps DRF's own get_ident in agreement.
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttling.AnonRateThrottle",
        "portal.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="120/min"),
        "user": env("THROTTLE_USER", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Union member-services portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Model choices shared by several serializers get one stable schema name each.
    "ENUM_NAME_OVERRIDES": {
        "FacilityKindEnum": "facilities.models.FacilityKind",
        "FacilityStatusEnum": "facilities.models.FacilityStatus",
        "VenueKindEnum": "facilities.models.VenueKind",
        "ActivityKindEnum": "bookings.models.ActivityKind",
        "SessionStatusEnum": "bookings.models.SessionStatus",
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "StayStatusEnum": "bookings.models.StayStatus",
        "RoomTypeKindEnum": "facilities.models.RoomTypeKind",
    },
}

# --- Logging ------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- Security headers ---------------------------------------------------------------------------------------
# production.py adds HTTPS-only settings (HSTS, secure cookies, SSL redirect). tests/test_security_headers.py
# checks them all and that no template needs an inline script.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from our own origin: no inline <script>, no on*= handlers, no style= attributes
# (templates use classes; frontend/static/frontend/*.js does the rest). The one inline style value allowed
# by hash is allauth's `style="display: none"` on its hidden phone/email forms. A page that needs more
# widens its own policy with csp.decorators.csp_update (the API docs page, Stripe's payment page).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-hashes'", "'sha256-ZdHxw9eWtnxUb3mk6tBS+gIiVUPE3pGM470keHPDFlE='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features, all off; PERMISSIONS_POLICY_BY_VIEW switches one on for the page (URL name) that uses it.
PERMISSIONS_POLICY = {feature: [] for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "hid", "midi",
    "magnetometer", "gyroscope", "accelerometer", "display-capture", "browsing-topics",
)}
PERMISSIONS_POLICY_BY_VIEW = {
    "frontend:console:checkin": {"camera": ["self"]},  # scanning ticket QR codes
    "frontend:palaces": {"geolocation": ["self"]},  # "nearest first" (near.js); nothing is sent
}

# --- Domain settings ----------------------------------------------------------------------------------------
# Bookings (cultural palaces): seat holds, waitlist offers, no-show suspensions, ballot weights.
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=15)
WAITLIST_OFFER_MINUTES = env.int("WAITLIST_OFFER_MINUTES", default=120)
WAITLIST_OFFER_MIN_MINUTES = env.int("WAITLIST_OFFER_MIN_MINUTES", default=10)
NO_SHOW_LIMIT = env.int("NO_SHOW_LIMIT", default=3)
NO_SHOW_WINDOW_DAYS = env.int("NO_SHOW_WINDOW_DAYS", default=90)
NO_SHOW_SUSPENSION_DAYS = env.int("NO_SHOW_SUSPENSION_DAYS", default=30)
BALLOT_NEWCOMER_WEIGHT = env.int("BALLOT_NEWCOMER_WEIGHT", default=3)
CELERY_BEAT_SCHEDULE.update({
    "bookings-holds-expire": {"task": "bookings.tasks.holds_expire", "schedule": 60.0},
    "bookings-offers-expire": {"task": "bookings.tasks.offers_expire", "schedule": 60.0},
    "bookings-ballots-draw": {"task": "bookings.tasks.ballots_draw_due", "schedule": 300.0},
    "bookings-no-shows": {"task": "bookings.tasks.no_shows_mark_due", "schedule": 900.0},
    "bookings-reminders": {"task": "bookings.tasks.reminders_send", "schedule": 3600.0},
    "bookings-stay-holds-expire": {"task": "bookings.tasks.stay_holds_expire", "schedule": 60.0},
})

# Notifications: email/SMS copies that no task delivered are swept up (portal/notifications/services.py).
MESSAGE_REDELIVER_AFTER_MINUTES = env.int("MESSAGE_REDELIVER_AFTER_MINUTES", default=10)
MESSAGE_REDELIVER_WITHIN_HOURS = env.int("MESSAGE_REDELIVER_WITHIN_HOURS", default=24)
CELERY_BEAT_SCHEDULE["notifications-deliver-due"] = {
    "task": "portal.notifications.tasks.deliver_due_messages", "schedule": 300.0,
}

# --- Sign-in and second factor (auth, issue 7): admin behind allauth MFA, staff TOTP enrolment by email code ---
# /admin/ signs in through allauth (with TOTP) and needs a session that passed MFA (portal/members/admin_site.py).
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "portal.members.admin_site.PortalAdminConfig"
# A staff account's first TOTP enrolment needs a code emailed to its verified address (portal/members/mfa.py).
MFA_FORMS = {"activate_totp": "portal.members.forms.ActivateTOTPForm"}
MFA_ENROLMENT_CODE_MINUTES = env.int("MFA_ENROLMENT_CODE_MINUTES", default=10)  # ASVS 6.5.5: at most 10
ACCOUNT_RATE_LIMITS["mfa_enrolment_code"] = "1/m/user,5/h/user"
# Verification is by code, and a code lives in the session that asked for it: every sign-in of an unverified
# account must send a new one. allauth's default cadence for codes, so a member can sign in right after signing up.
ACCOUNT_RATE_LIMITS["confirm_email"] = "1/10s/key"

# --- Audit log (issue 7, portal/audit/): staff writes, logins, exports, opened member records. ---
INSTALLED_APPS += ["portal.audit"]
MIDDLEWARE += ["portal.audit.middleware.AuditMiddleware"]

# --- Payments (issue 9, portal/payments/): Stripe through the official SDK; localstripe in dev and tests. ---
INSTALLED_APPS += ["portal.payments"]
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="pk_test_localstripe")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_localstripe_dev_only")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")  # empty: Stripe itself; localstripe in dev and tests
STRIPE_TEST_MODE = env.bool("STRIPE_TEST_MODE", default=False)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
PAYMENT_METHOD_TYPES = env.list("PAYMENT_METHOD_TYPES", default=["card", "alipay", "wechat_pay"])
PAYMENT_LATE_CANCEL_REFUND_PERCENT = env.int("PAYMENT_LATE_CANCEL_REFUND_PERCENT", default=50)
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=10)
CELERY_BEAT_SCHEDULE.update({
    "payments-holds-expire": {"task": "portal.payments.tasks.holds_expire", "schedule": 60.0},
    "payments-refunds-due": {"task": "portal.payments.tasks.refunds_due", "schedule": 120.0},
    "payments-events-unapplied": {"task": "portal.payments.tasks.events_apply_pending", "schedule": 300.0},
    "payments-reconcile": {"task": "portal.payments.tasks.reconcile", "schedule": 600.0},
})
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {"PaymentStatusEnum": "portal.payments.models.PaymentStatus"})
LOGGING.setdefault("loggers", {})["stripe"] = {"level": env("STRIPE_LOG_LEVEL", default="WARNING")}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "ProgrammeStatusEnum": "bookings.models.ProgrammeStatus",
    "ApplicationStatusEnum": "bookings.models.ApplicationStatus",
    "ModelWorkerLevelEnum": "portal.members.models.ModelWorkerLevel",
})

# --- Mutual aid: work-unit roster import (mutualaid/roster/) ---
# Uploaded rosters (the only place resident IDs exist in clear) are deleted once imported, or after this many days.
ROSTER_FILE_RETENTION_DAYS = env.int("ROSTER_FILE_RETENTION_DAYS", default=7)
CELERY_BEAT_SCHEDULE["mutualaid-roster-files-purge"] = {
    "task": "mutualaid.tasks.roster_files_purge", "schedule": 3600.0,
}

# --- Mutual aid: API enum names; cover expiry after the term and renewal reminders 30 days before it ends ---
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    # SchemeStatus shares its choices with ProgrammeStatus and BatchStatus with SessionStatus: one enum name each.
    "SchemeKindEnum": "mutualaid.models.SchemeKind",
    "EnrolmentStatusEnum": "mutualaid.models.EnrolmentStatus", "ClaimStatusEnum": "mutualaid.models.ClaimStatus",
})
CELERY_BEAT_SCHEDULE.update({
    "mutualaid-enrolments-expire": {"task": "mutualaid.cover_tasks.enrolments_expire", "schedule": 3600.0},
    "mutualaid-renewal-reminders": {"task": "mutualaid.cover_tasks.renewal_reminders", "schedule": 3600.0},
})

# --- Statistics (issue 12, portal/stats/): rollups kept current, exports expire, replica for reads ---
# Last, so its demo (seed_demo runs each app's demo.py in this order) sees every app's facilities and ledger rows.
INSTALLED_APPS.remove("portal.stats")
INSTALLED_APPS.append("portal.stats")
STATS_EXPORT_RETENTION_DAYS = env.int("STATS_EXPORT_RETENTION_DAYS", default=7)
# An export silent this long (no progress: its worker died, or its message was lost) is queued again by the
# beat sweep, and failed after this many runs. A run reports progress at least every 10,000 rows.
STATS_EXPORT_STALL_MINUTES = env.int("STATS_EXPORT_STALL_MINUTES", default=15)
STATS_EXPORT_MAX_ATTEMPTS = env.int("STATS_EXPORT_MAX_ATTEMPTS", default=3)
# A streaming replica for statistics reads (the ledger and its rollups only: portal/stats/router.py).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**DATABASES["default"], **env.db("DATABASE_REPLICA_URL"),
                            "OPTIONS": DATABASES["default"].get("OPTIONS", {}), "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["portal.stats.router.StatsReplicaRouter"]
CELERY_BEAT_SCHEDULE.update({
    "stats-rollups-refresh": {"task": "portal.stats.tasks.rollups_refresh", "schedule": 300.0},
    "stats-exports-purge": {"task": "portal.stats.tasks.exports_purge", "schedule": 3600.0},
    "stats-exports-resume-stalled": {"task": "portal.stats.tasks.exports_resume_stalled", "schedule": 300.0},
    "stats-partitions-ensure": {"task": "portal.stats.tasks.partitions_ensure", "schedule": 86400.0},
})
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "ExportKindEnum": "portal.stats.models.ExportKind", "ExportStatusEnum": "portal.stats.models.ExportStatus",
    "ExportFormatEnum": "portal.stats.models.ExportFormat", "TargetMetricEnum": "portal.stats.models.TargetMetric",
    "ServiceKindEnum": "portal.stats.models.ServiceKind", "ServiceChannelEnum": "portal.stats.models.Channel",
})
