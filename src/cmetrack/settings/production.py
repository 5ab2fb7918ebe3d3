"""Production: everything secure by default; secrets and hosts must come from the environment."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, MIDDLEWARE, env_bool

DEBUG = False
SECRET_KEY = os.environ.get("CMETRACK_SECRET_KEY", "")
if not SECRET_KEY and os.environ.get("CMETRACK_SECRET_KEY_FILE"):
    # A file readable only by the service (systemd's LoadCredential, or `make serve`'s var/).
    SECRET_KEY = Path(os.environ["CMETRACK_SECRET_KEY_FILE"]).read_text().strip()
if not SECRET_KEY or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("Set CMETRACK_SECRET_KEY to a long random value in production.")

# WhiteNoise serves the collected static files (GOV.UK Frontend included) straight after security.
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _security + 1],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_security + 1 :],
]
# Collected files have a hash in their names, so browsers may keep them for a year.
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365

# JSON log lines, for the log collector (CMETRACK_LOG_FORMAT=text for a terminal).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("CMETRACK_LOG_FORMAT", "json")  # type: ignore[index]

# PostgreSQL: a pool of connections in each gunicorn process, shared by its threads (Django
# 5.2 with psycopg's pool). CONN_MAX_AGE must be 0 with a pool.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("CMETRACK_DB_POOL_SIZE", "6")),
        "timeout": 10,  # seconds to wait for a free connection before the request fails
    }

CMETRACK_REQUIRE_2FA = env_bool("CMETRACK_REQUIRE_2FA", True)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("CMETRACK_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer asks for /healthz over plain HTTP inside the network; it must not be sent on.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
