"""A stored file goes back out only as a download: the checked type, never sniffed, never
rendered, never cached, and a name that cannot break out of its header."""

from __future__ import annotations

import pytest

from cmetrack.uploads.checks import KINDS
from cmetrack.uploads.serving import download_response


@pytest.mark.parametrize("code", sorted(KINDS))
def test_every_kind_is_served_as_a_download_with_its_own_type(code: str) -> None:
    kind = KINDS[code]

    response = download_response(b"content", kind_code=code, filename=f"evidence{kind.extension}")

    assert response.content == b"content"
    assert response["Content-Type"] == kind.content_type
    assert response["Content-Disposition"] == f'attachment; filename="evidence{kind.extension}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "no-store, private"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_markup_checked_as_text_is_served_as_plain_text_not_html() -> None:
    response = download_response(b"<script>alert(1)</script>", kind_code="text", filename="a.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_quote_in_the_name_cannot_end_the_header_value() -> None:
    response = download_response(b"x", kind_code="pdf", filename='a"; filename="evil.html')

    assert response["Content-Disposition"] == 'attachment; filename="a\\"; filename=\\"evil.html"'


def test_a_line_break_in_the_name_cannot_start_a_header() -> None:
    response = download_response(b"x", kind_code="pdf", filename="a\r\nSet-Cookie: x=1.pdf")

    assert (
        "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]
    )
    assert not response.has_header("Set-Cookie")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")


def test_a_name_beyond_ascii_is_encoded_for_the_browser() -> None:
    response = download_response(b"x", kind_code="pdf", filename="Zoë\u2019s letter.pdf")

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Zo%C3%AB%E2%80%99s%20letter.pdf"
    )


def test_a_kind_the_checks_do_not_know_is_never_served() -> None:
    with pytest.raises(KeyError):
        download_response(b"<html>", kind_code="html", filename="page.html")
