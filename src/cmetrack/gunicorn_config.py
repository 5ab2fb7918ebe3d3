"""gunicorn's settings for cmetrack (`make serve`; `gunicorn -c python:cmetrack.gunicorn_config`).

Sized for the machine: one process per core plus one, each with a few threads, because a page
spends most of its time waiting on PostgreSQL and threads share a process's connection pool.
Every value can be overridden by environment variable for a bigger or smaller host.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger, SafeAtoms

from cmetrack.logformat import without_queries, without_secret_paths

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
# The set-up and password reset links carry a credential in the path: AccessLogger blanks it.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s", "remote": "%(h)s"}'
)
errorlog = "-"


class JsonAtoms(SafeAtoms):
    """Each text value escaped for the JSON string it is written into (gunicorn's own escapes
    only the double quote, so a path ending in a backslash would still end the string)."""

    def __init__(self, atoms: dict[str, Any]) -> None:
        dict.__init__(self)
        for key, value in atoms.items():
            self[key] = json.dumps(value)[1:-1] if isinstance(value, str) else value


class AccessLogger(Logger):
    """gunicorn's logger, with no query string and no secret path segment in any atom (the
    Referer header's included), and each value escaped for the JSON string it is written in.

    The format above uses only the path, but an atom changed there later (`%(r)s`, the request
    line; `%(q)s`; `%({raw_uri}e)s`) must not bring back what this file keeps out. The path is
    percent-decoded, so without the escaping `/x%22,%22level%22:%22ERROR` would write a field of
    the client's choosing into the line."""

    atoms_wrapper_class = JsonAtoms

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        path = without_secret_paths(str(environ.get("PATH_INFO", "")))
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = ""
        atoms["{query_string}e"] = ""
        atoms["{raw_uri}e"] = path
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = without_secret_paths(without_queries(value))
        return atoms


logger_class = AccessLogger
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
