"""The production path, over HTTP: what `make serve` answers on PostgreSQL (run by
.ci/production-smoke, which starts it).

Checks the sign-in page with its styles, a collected CSS file's long cache, /healthz, the
security headers and the HTTPS redirect, then a signed-in journey with the second factor: a
member of the public reports a concern, and a CME officer signs in (password and TOTP code),
finds it in the incoming queue, and signs out. Standard library only for HTTP; Django (the
production settings) only to create the officer and to compute the TOTP code.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import sys
import time
import urllib.parse
from dataclasses import dataclass, field

BASE = os.environ["SMOKE_BASE"]  # e.g. http://127.0.0.1:8766
HOST = urllib.parse.urlsplit(BASE).netloc
# The reverse proxy's view: the request came over TLS (gunicorn trusts 127.0.0.1 to say so).
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
ORIGIN = f"https://{HOST}"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Browser:
    """Keeps cookies by hand: Secure cookies must go back over our plain-HTTP hop to gunicorn
    (the proxy's TLS is pretended by X-Forwarded-Proto), which http.cookiejar would refuse."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, proxy: bool = True
    ) -> Answer:
        connection = http.client.HTTPConnection(HOST, timeout=30)
        headers = dict(PROXY) if proxy else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = ORIGIN
            headers["Referer"] = f"{ORIGIN}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                if val in ('""', ""):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = val
        answer = Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read().decode("utf-8", "replace"),
        )
        connection.close()
        return answer

    def get(self, path: str, proxy: bool = True) -> Answer:
        return self.request("GET", path, proxy=proxy)

    def post_form(self, path: str, fields: dict[str, str]) -> Answer:
        """GET the form, then POST it with its CSRF token and the given fields."""
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or token is None:
            fail(f"GET {path} answered {page.status}, with no form to post")
        assert token is not None
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **fields})


def fail(message: str) -> None:
    print(f"FAIL: {message}")
    sys.exit(1)


def check(condition: bool, message: str) -> None:
    """`message` says what should be true; it is printed as passed or failed."""
    if not condition:
        fail(message)
    print(f"ok: {message}")


def wait_for_health(limit_seconds: int = 180) -> dict[str, object]:
    """The worker's first heartbeat and first tick take a few seconds after gunicorn starts."""
    deadline = time.monotonic() + limit_seconds
    body: dict[str, object] = {}
    serve = int(os.environ.get("SMOKE_SERVE_PID", "0"))
    while time.monotonic() < deadline:
        if serve:
            try:
                os.kill(serve, 0)
            except ProcessLookupError:
                fail("make serve stopped before it answered")
        try:
            answer = Browser().get("/healthz", proxy=False)
            body = json.loads(answer.body)
            if answer.status == 200 and body.get("status") == "ok":
                return body
        except (OSError, ValueError):
            pass
        time.sleep(2)
    fail(f"/healthz never said ok: {body}")
    return body


def make_officer() -> tuple[str, str, str]:
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cmetrack.accounts.models import Organisation, User

    team, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.LA_TEAM, name="Smoke test council"
    )
    username, password = f"smoke-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    user = User.objects.create_user(
        username=username, password=password, role=User.Role.CME_OFFICER, organisation=team
    )
    device = TOTPDevice.objects.create(user=user, name="smoke", confirmed=True)
    return username, password, device.key


def totp_now(key_hex: str) -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def main() -> None:
    health = wait_for_health()
    check(health["status"] == "ok", "/healthz: database, migrations, worker and tick all ok")

    anonymous = Browser()
    sign_in = anonymous.get("/account/sign-in/")
    check(sign_in.status == 200, "the sign-in page answers 200 through gunicorn")
    css = re.search(
        r'href="(/static/vendor/govuk/govuk-frontend\.min\.[0-9a-f]{12}\.css)"', sign_in.body
    )
    check(css is not None, "the sign-in page links the collected, hashed GOV.UK stylesheet")
    assert css is not None
    headers = sign_in.headers
    check("max-age=31536000" in headers.get("strict-transport-security", ""), "HSTS is sent")
    check("default-src 'self'" in headers.get("content-security-policy", ""), "CSP is sent")
    check(headers.get("x-frame-options") == "DENY", "X-Frame-Options: DENY")
    check(headers.get("x-content-type-options") == "nosniff", "X-Content-Type-Options: nosniff")
    check(headers.get("referrer-policy") == "same-origin", "Referrer-Policy: same-origin")
    check(len(headers.get("x-request-id", "")) == 32, "each response carries a request id")

    stylesheet = anonymous.get(css.group(1))
    check(stylesheet.status == 200, "the stylesheet is served (WhiteNoise)")
    check(stylesheet.headers.get("content-type", "").startswith("text/css"), "as text/css")
    check("max-age=315360000" in stylesheet.headers.get("cache-control", ""), "cached for years")
    check(".govuk-header" in stylesheet.body, "and it is GOV.UK Frontend's CSS")

    plain = anonymous.get("/account/sign-in/", proxy=False)
    check(plain.status == 301 and plain.headers["location"].startswith("https://"),
          "plain HTTP is redirected to HTTPS")  # fmt: skip
    check(anonymous.get("/healthz", proxy=False).status == 200, "but /healthz is not redirected")
    check(anonymous.get("/cases/").status == 302, "a stranger asking for cases is sent to sign in")

    public = Browser()
    concern = public.post_form(
        "/intake/concern/",
        {
            "about_child": "A boy of about 12 who has not been at school since October",
            "where": "Near the park on Smoke Street",
            "why_worried": "He is at home in the daytime every day",
        },
    )
    check(concern.status == 302 and "/intake/concern/received/" in concern.headers["location"],
          "a member of the public reports a concern")  # fmt: skip
    received = public.get("/intake/concern/received/")
    reference = re.search(r"<strong>([A-Z0-9-]+)</strong>", received.body)
    check(received.status == 200 and reference is not None, "and is given a reference")
    assert reference is not None

    username, password, key = make_officer()
    officer = Browser()
    signed = officer.post_form("/account/sign-in/", {"username": username, "password": password})
    check(signed.status == 302, "the officer's password is accepted")
    second = officer.get(signed.headers["location"])
    if second.status == 302:
        second = officer.get(second.headers["location"])
    check(second.status == 200 and 'name="token"' in second.body, "the second factor is asked for")
    verified = officer.post_form("/account/two-factor/", {"token": totp_now(key), "next": "/"})
    check(verified.status == 302, "the TOTP code is accepted")
    dashboard = officer.get("/")
    check(dashboard.status == 200 and "Dashboard" in dashboard.body, "the dashboard answers")
    check(dashboard.headers.get("cache-control", "").find("no-store") >= 0,
          "pages about children are not kept in the browser's cache")  # fmt: skip
    incoming = officer.get("/intake/incoming/")
    check(incoming.status == 200 and reference.group(1) in incoming.body,
          "the officer finds the public concern in the incoming queue")  # fmt: skip
    check(officer.get("/system-status/").status == 403, "an officer may not see system status")
    signed_out = officer.request("POST", "/account/sign-out/", {
        "csrfmiddlewaretoken": officer.cookies.get("csrftoken", "")
    })  # fmt: skip
    check(signed_out.status == 302, "the officer signs out")
    check(officer.get("/").status == 302, "and is asked to sign in again")
    print("Production path: all checks passed.")


if __name__ == "__main__":
    main()
