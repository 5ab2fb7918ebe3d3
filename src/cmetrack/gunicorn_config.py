"""gunicorn's settings for cmetrack (`make serve`; `gunicorn -c python:cmetrack.gunicorn_config`).

Sized for the machine: one process per core plus one, each with a few threads, because a page
spends most of its time waiting on PostgreSQL and threads share a process's connection pool.
Every value can be overridden by environment variable for a bigger or smaller host.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("CMETRACK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CMETRACK_WEB_PROCESSES", str(multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("CMETRACK_WEB_THREADS", "4"))
worker_class = "gthread"
# A large upload is checked in the background, so no request should need long.
timeout = int(os.environ.get("CMETRACK_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then, so a slow leak never grows into an outage.
max_requests = 2000
max_requests_jitter = 200
# Only the reverse proxy on these addresses may say the request came over TLS (X-Forwarded-*).
forwarded_allow_ips = os.environ.get("CMETRACK_TRUSTED_PROXIES", "127.0.0.1,::1")
# Limits on what a client may send before Django sees it.
limit_request_line = 8190
limit_request_fields = 100

# Access log: one JSON line a request. The path without its query string (%(U)s), because a
# query could carry what a user typed; the request id joins it to the application's own lines.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s", "remote": "%(h)s"}'
)
errorlog = "-"
loglevel = os.environ.get("CMETRACK_LOG_LEVEL", "info").lower()

# gunicorn's own lines (start, stop, a worker timing out) as JSON too, like the application's;
# the access lines are already JSON (above), so they are written as they are.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cmetrack.logformat.CmetrackJsonFormatter"},
        "as_is": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "as_is",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
