"""The one way a stored file goes back out: as a download, never rendered by the browser.

A file someone uploaded may be crafted to run in the page's origin (an HTML or SVG disguised as
something else). So every stored file is served with the content type its bytes were checked
as, `nosniff`, a download disposition, a sandboxing CSP, and no caching on shared machines.
"""

from __future__ import annotations

from django.http import HttpResponse

from .checks import KINDS


def download_response(content: bytes, *, kind_code: str, filename: str) -> HttpResponse:
    """The file as an attachment named `filename` (already made safe by `safe_filename`)."""
    kind = KINDS[kind_code]
    response = HttpResponse(content, content_type=kind.content_type)
    # Django quotes and RFC 5987-encodes the name: non-ASCII survives, quotes cannot break out.
    response.headers["Content-Disposition"] = _disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _disposition(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"
