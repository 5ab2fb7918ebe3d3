"""Settings shared by every environment. Configuration comes from environment variables."""

import importlib.util
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The checkout (or the working directory when installed as a package) holds var/ for the
# embedded SQLite database and uploaded files.
BASE_DIR = Path(os.environ.get("CMETRACK_HOME", Path.cwd()))
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("CMETRACK_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("CMETRACK_DEBUG", False)
ALLOWED_HOSTS = env_list("CMETRACK_ALLOWED_HOSTS", "127.0.0.1,localhost")

# The authority this installation serves (Sefton in the demo data).
CMETRACK_AUTHORITY_NAME = os.environ.get("CMETRACK_AUTHORITY_NAME", "Sefton Council")
CMETRACK_AUTHORITY_LA_CODE = os.environ.get("CMETRACK_AUTHORITY_LA_CODE", "343")
# The CME team's contact details: on every letter, blank form and the public page. The demo's
# number is the one on Sefton's published CME page (the seed); the address and email are the
# administrator's to set. A letter that needs one that is not set is not produced.
CMETRACK_AUTHORITY_PHONE = os.environ.get("CMETRACK_AUTHORITY_PHONE", "0345 140 0845")
CMETRACK_AUTHORITY_ADDRESS = os.environ.get("CMETRACK_AUTHORITY_ADDRESS", "")
CMETRACK_AUTHORITY_EMAIL = os.environ.get("CMETRACK_AUTHORITY_EMAIL", "")
# Where staff sign in; used for links in emails (which never carry a child's details).
CMETRACK_BASE_URL = os.environ.get("CMETRACK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Two-factor sign-in for every user (on in production; off here so the demo signs straight in).
CMETRACK_REQUIRE_2FA = env_bool("CMETRACK_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "cmetrack"
# Django admin shows no authenticator key, QR code or recovery code: an administrator who could
# read them could sign in as the user. Second factors are enrolled only through a set-up link,
# which works for this many hours (accounts/services.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
CMETRACK_SET_UP_LINK_HOURS = int(os.environ.get("CMETRACK_SET_UP_LINK_HOURS", "72"))
# Retention (privacy/retention.py): anonymise a child whose cases are all closed once they reach
# this age, or, with no date of birth, this many years after their last case closed.
CMETRACK_RETENTION_AGE = int(os.environ.get("CMETRACK_RETENTION_AGE", "25"))
CMETRACK_RETENTION_YEARS_WITHOUT_DOB = int(
    os.environ.get("CMETRACK_RETENTION_YEARS_WITHOUT_DOB", "10")
)
# School rolls and cross-check runs (docs/cross-checks.md) are deleted this many days after the
# date they are for, by the daily retention job: long enough for the repeated-moves check's 24
# months and a year's comparison, no longer.
CMETRACK_ROLL_RETENTION_DAYS = int(os.environ.get("CMETRACK_ROLL_RETENTION_DAYS", "1095"))
# Backups (docs/backup.md): 32 random bytes in base64 (`cmetrack backup --generate-key`), or a
# file holding them. Keep the key away from the backups.
CMETRACK_BACKUP_KEY = os.environ.get("CMETRACK_BACKUP_KEY", "")
CMETRACK_BACKUP_KEY_FILE = os.environ.get("CMETRACK_BACKUP_KEY_FILE", "")
# Children's social care / MASH: escalations are notified here (a reference and a link only).
CMETRACK_MASH_EMAIL = os.environ.get("CMETRACK_MASH_EMAIL", "")
# Statutory and local timescales in school days (core.deadlines.Timescales names); the
# defaults are DOMAIN.md's. e.g. CMETRACK_TIMESCALES='{"home_visit": 3}'
CMETRACK_TIMESCALES = json.loads(os.environ.get("CMETRACK_TIMESCALES", "{}"))
# Regulation 13(2)-(3): schools need not send new-pupil returns for their youngest class on the
# first day of the school year unless the authority asks for them.
CMETRACK_NEW_PUPIL_RETURNS_YOUNGEST_CLASS = os.environ.get(
    "CMETRACK_NEW_PUPIL_RETURNS_YOUNGEST_CLASS", ""
).lower() in {"1", "true", "yes", "on"}

# Bulk import of returns (referrals/imports.py). A file over either cap is refused with advice to
# split it; a file over CMETRACK_IMPORT_BACKGROUND_ROWS rows is checked and imported by a
# background task (`cmetrack db_worker`), its page showing the progress.
CMETRACK_IMPORT_MAX_ROWS = int(os.environ.get("CMETRACK_IMPORT_MAX_ROWS", "50000"))
CMETRACK_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("CMETRACK_IMPORT_MAX_UNZIPPED_BYTES", "50000000")
)
CMETRACK_IMPORT_BACKGROUND_ROWS = int(os.environ.get("CMETRACK_IMPORT_BACKGROUND_ROWS", "3000"))
# Background tasks (django-tasks): stored in the database, run by `cmetrack db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CMETRACK_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "auditlog",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # single-use recovery codes
    "axes",  # sign-in throttling and lockout (accounts/throttle.py)
    "django_tasks",
    "django_tasks_db",
    "django_guid",
    "rest_framework",
    "drf_spectacular",
    "cmetrack.accounts",
    "cmetrack.schools",
    "cmetrack.schooldays",
    "cmetrack.children",
    "cmetrack.cases",
    "cmetrack.referrals",
    "cmetrack.ehe",
    "cmetrack.letters",
    "cmetrack.attachments",
    "cmetrack.publicinfo",
    "cmetrack.api",
    "cmetrack.exchange",
    "cmetrack.register_import",
    "cmetrack.rolls",
    "cmetrack.crosschecks",
    "cmetrack.matching",
    "cmetrack.reports",
    "cmetrack.privacy",
    "cmetrack.audit",
    "cmetrack.notifications",
    "cmetrack.operations",
    "cmetrack.demo",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # first: every later log line has the request id
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # auditlog's own, but recording the client's address by the trusted-proxy rule.
    "cmetrack.accounts.client_address.AuditlogMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",  # deny by default
    "cmetrack.accounts.two_factor.TwoFactorRequiredMiddleware",
    "cmetrack.audit.middleware.NoStoreMiddleware",
    # Last, as axes asks: turns a refused sign-in into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cmetrack.urls"
WSGI_APPLICATION = "cmetrack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cmetrack.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    # Zero set-up: an embedded SQLite file under var/ in the working directory.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'cmetrack.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dashboard read while an import writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "cases:dashboard"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Axes first: it refuses a paused account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A reset link in an email works for this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# --- Sign-in throttling (django-axes; docs/security.md) ----------------------------------
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-
# separated); gunicorn_config.py reads the same variable. accounts/client_address.py.
CMETRACK_TRUSTED_PROXIES = env_list("CMETRACK_TRUSTED_PROXIES", "127.0.0.1,::1")
# Failures before an account is paused, from any address...
AXES_FAILURE_LIMIT = int(os.environ.get("CMETRACK_SIGNIN_FAILURE_LIMIT", "10"))
# ...and before an address is paused, over any accounts (higher: an office shares an address).
CMETRACK_SIGNIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("CMETRACK_SIGNIN_ADDRESS_FAILURE_LIMIT", "30")
)
# How long a pause lasts, counted from the last failure before it.
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CMETRACK_SIGNIN_COOLOFF_MINUTES", "30")))
# Each on its own: the account (whatever the address) and the address (whatever the account).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "cmetrack.accounts.throttle.SignInThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "cmetrack.accounts.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "cmetrack.accounts.views.locked_out"
# A success does not clear the count: clearing it would also clear the address's count, so one
# valid account would let a guesser at the same address start again.
AXES_RESET_ON_SUCCESS = False
# Tries during a pause are refused but not counted, so the pause ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every failure is kept (AccessFailureLog) besides the running counts (AccessAttempt).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# No start-up banner on every `cmetrack` command; each failure is still logged (as a warning,
# the username and address masked: the database records hold them).
AXES_VERBOSE = False
# Form fields axes masks before it stores or logs a request's data: every password field we have.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "old_password",
    "new_password1",
    "new_password2",
    "token",
]

# --- Shared cache: rate limits (django-ratelimit) ------------------------------------------
# Shared by every gunicorn process and kept over a restart: the database by default (the table
# is made by the accounts migrations), or Redis when CMETRACK_REDIS_URL is set.
CMETRACK_REDIS_URL = os.environ.get("CMETRACK_REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if CMETRACK_REDIS_URL:
    # The client is not in the locked requirements (the database serves one machine well):
    # install `redis` beside cmetrack to use this, or the first rate-limited request would fail.
    if importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured("CMETRACK_REDIS_URL is set: install the redis package too.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CMETRACK_REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cmetrack_cache",
            # Culling at Django's default 300 entries would let a flood of new keys wipe
            # the rate-limit counters; expired entries are still removed as they are met.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
RATELIMIT_USE_CACHE = "default"
# django-ratelimit's "ip" key: the client's address by the trusted-proxy rule (an IPv6 client
# is counted by its /64, django-ratelimit's default).
RATELIMIT_IP_META_KEY = "cmetrack.accounts.client_address.ratelimit_ip"
# Password reset requests from one address (after this, a "too many requests" page).
CMETRACK_PASSWORD_RESET_RATE = os.environ.get("CMETRACK_PASSWORD_RESET_RATE", "5/h")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "static/"
# Where `cmetrack collectstatic` gathers the files the web server (WhiteNoise) serves.
STATIC_ROOT = Path(os.environ.get("CMETRACK_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploaded and generated files (letters, attachments, the public page's documents): outside
# the web root, never served by URL, only through views that check who is asking.
MEDIA_ROOT = Path(os.environ.get("CMETRACK_FILES_DIR", VAR_DIR / "media"))
# The largest evidence file an officer may attach to a case (attachments.services).
CMETRACK_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("CMETRACK_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Sessions: a shared office PC must not stay signed in to children's records.
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    },
}

# Every create, update and delete of a registered model is logged with the acting user.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Logs: one line a record, JSON in production (CMETRACK_LOG_FORMAT=json) or readable text, each
# with the request id (django-guid; X-Request-ID in and out). Request logs carry paths only, and
# paths carry opaque ids only, never names or UPNs (cmetrack/logformat.py removes the rest).
CMETRACK_LOG_FORMAT = os.environ.get("CMETRACK_LOG_FORMAT", "text")
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,  # an incoming id that is not a UUID is replaced, not logged
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {"()": "cmetrack.logformat.CmetrackJsonFormatter"},
        "text": {"()": "cmetrack.logformat.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if CMETRACK_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CMETRACK_LOG_LEVEL", "INFO")},
    "loggers": {
        # django-guid says "Header X-Request-ID was not found" on every request without one.
        "django_guid": {"level": "WARNING"},
        # The development server's request lines (`make run`) go through our formatter too, so
        # queries and set-up tokens are cut from them as from every other line.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

EMAIL_BACKEND = os.environ.get(
    "CMETRACK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CMETRACK_FROM_EMAIL", "cme@example.invalid")
# SMTP, when CMETRACK_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("CMETRACK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CMETRACK_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("CMETRACK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CMETRACK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CMETRACK_EMAIL_TLS", True)
# A hung mail server must not hold a worker for ever: the outbox retries a failed send.
EMAIL_TIMEOUT = int(os.environ.get("CMETRACK_EMAIL_TIMEOUT", "30"))
# GOV.UK Notify instead of SMTP, when CMETRACK_EMAIL_BACKEND is
# cmetrack.notifications.notify_backend.NotifyEmailBackend (docs/administrator-guide.md).
CMETRACK_NOTIFY_API_KEY = os.environ.get("CMETRACK_NOTIFY_API_KEY", "")
CMETRACK_NOTIFY_TEMPLATE_ID = os.environ.get("CMETRACK_NOTIFY_TEMPLATE_ID", "")
CMETRACK_NOTIFY_BASE_URL = os.environ.get("CMETRACK_NOTIFY_BASE_URL", "")

# The REST API (cmetrack.api, docs/api.md): bearer tokens only, JSON in and out, one error body.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["cmetrack.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["cmetrack.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["cmetrack.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cmetrack.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
CMETRACK_API_RATE = os.environ.get("CMETRACK_API_RATE", "1200/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "cmetrack API",
    "DESCRIPTION": "Send returns, referrals and notifications, and read their status; the CME "
    "team reads cases and tasks. Authenticate with `Authorization: Bearer <token>`. Errors are "
    '`{"errors": [{"field": ..., "message": ...}]}`. See docs/api.md.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # A submission's kind is named once, however many answers carry it (the exchange's receipts
    # do too): without a name drf-spectacular warns and invents one ("KindAfbEnum").
    "ENUM_NAME_OVERRIDES": {"SubmissionKindEnum": "cmetrack.referrals.models.Kind"},
}
