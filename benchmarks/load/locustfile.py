"""Load for issue 12: 50 signed-in CME officers browsing, 10 schools sending deletion returns.

    .venv/bin/locust -f benchmarks/load/locustfile.py --headless --host http://127.0.0.1:8000 \\
        --users 60 --spawn-rate 10 --run-time 2m --csv var/benchmarks/load/run

(run_load.py starts gunicorn, runs this and prints the figures.) The accounts are the ones
seed.py makes (benchdb.officer_username / school_username, password benchdb.PASSWORD).

Officer: signs in once, then browses the dashboard, the case list (plain, filtered, searched by
a surname seen on the lists, later pages),
case pages picked from the lists, the tasks page and the incoming queue, pausing between pages
for LOAD_OFFICER_WAIT seconds (default "5,15": reading a page for 5 to 15 s, 10 s on average,
before the next click; "1,4" is the stress pace in docs/benchmarks.md).
School: signs in once, then sends a deletion return through the web form (GET the form, read the
CSRF token, POST valid data, follow the redirect to the submission page) and looks at its
submissions, pausing LOAD_SCHOOL_WAIT seconds (default "5,15") between steps.

A request fails if its status is not what the page gives a signed-in user (a page must answer
200 itself: a redirect to the sign-in page is a failure, not a success), if a page lacks its
heading, or if a form comes back with errors. Every request is also written to
LOAD_REQUEST_LOG (CSV: start, name, milliseconds, ok) so run_load.py can give exact percentiles.

The production settings mark the session and CSRF cookies Secure, and a cookie jar keeps Secure
cookies to itself over plain http. The benchmark talks plain http to 127.0.0.1 (as a TLS proxy
in front of gunicorn would), so each user's jar is given a policy that returns Secure cookies
over http too; the application's settings are unchanged.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import re
import time
from datetime import date, timedelta
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any
from urllib.request import Request

from benchdb import PASSWORD, officer_username, school_username
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

from cmetrack.core.upn import upn_check_letter

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})/"')
CHILD_NAME = re.compile(r'href="/cases/[0-9a-f-]{36}/">([^<]+)</a>')
STATUSES = ("referred", "enquiries", "located", "placed", "transferred", "untraced", "closed")
GIRLS = ("Amelia", "Olivia", "Isla", "Ava", "Mia", "Freya", "Lily", "Ivy", "Florence", "Sophia")
BOYS = ("Oliver", "Noah", "George", "Leo", "Arthur", "Muhammad", "Oscar", "Harry", "Jack")
SURNAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies")
GROUNDS = ("a", "a", "a", "c", "f", "g", "o")  # none of (h), (i): those open a case on arrival


def _wait(name: str, default: str) -> Any:
    low, high = (float(x) for x in os.environ.get(name, default).split(","))
    return between(low, high)


class SecureCookiesOverHttp(DefaultCookiePolicy):
    """Return Secure cookies to plain-http 127.0.0.1 (where a TLS proxy would sit)."""

    def return_ok_secure(self, cookie: Cookie, request: Request) -> bool:
        return True


# ---------------------------------------------------------------- every request, to a file

_log_path = os.environ.get("LOAD_REQUEST_LOG", "")
_log_file = open(_log_path, "a", newline="") if _log_path else None  # noqa: SIM115
_log = csv.writer(_log_file) if _log_file else None


@events.request.add_listener
def _record(
    name: str,
    response_time: float,
    exception: BaseException | None,
    start_time: float | None = None,
    **kwargs: Any,
) -> None:
    if _log is not None:
        _log.writerow([f"{start_time or time.time():.3f}", name, f"{response_time:.1f}",
                       0 if exception else 1])  # fmt: skip


@events.quitting.add_listener
def _close(**kwargs: Any) -> None:
    if _log_file is not None:
        _log_file.close()


# ----------------------------------------------------------------------------- the users

_officers = itertools.count(1)
_schools = itertools.count(1)


class SignedIn(FastHttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(SecureCookiesOverHttp())
        # LOAD_SIGN_IN_SPREAD=N: sign in at a random moment in the first N seconds, as a team
        # does over a morning, instead of all within the spawn (0, the default: at once).
        spread = float(os.environ.get("LOAD_SIGN_IN_SPREAD", "0"))
        if spread > 0:
            time.sleep(random.uniform(0, spread))  # gevent's sleep: locust patches time
        self.sign_in()

    def sign_in(self) -> None:
        with self.client.get("/account/sign-in/", name="sign-in form", catch_response=True) as page:
            token = CSRF.search(page.text or "")
            if page.status_code != 200 or token is None:
                page.failure(f"sign-in form: {page.status_code}")
                return
        with self.client.post(
            "/account/sign-in/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.username,
                "password": PASSWORD,
                "next": "",
            },
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as signed:
            if signed.status_code != 302:
                signed.failure(f"sign-in refused for {self.username}: {signed.status_code}")

    def page(self, url: str, name: str, heading: str) -> str:
        """GET a page that must answer 200 with its heading; the body, or "" on failure."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            text = r.text or ""
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")
                return ""
            if heading not in text:
                r.failure(f"no '{heading}' on the page")
                return ""
        return text


class Officer(SignedIn):
    fixed_count = 50
    wait_time = _wait("LOAD_OFFICER_WAIT", "5,15")

    def on_start(self) -> None:
        self.username = officer_username(next(_officers))
        self.case_ids: list[str] = []
        self.surnames: list[str] = []
        self.options: dict[str, list[str]] = {}
        super().on_start()
        self.dashboard()

    def _harvest(self, html: str) -> None:
        found = CASE_LINK.findall(html)
        if found:
            self.case_ids = (found + self.case_ids)[:200]
        for name in CHILD_NAME.findall(html)[:5]:
            self.surnames = [name.split()[-1], *self.surnames][:50]
        if not self.options and 'name="assigned_to"' in html:
            for field in ("assigned_to", "last_school", "primary_reason", "flag"):
                select = re.search(rf'<select name="{field}".*?</select>', html, re.S)
                values = re.findall(r'value="(\d+)"', select.group(0)) if select else []
                self.options[field] = values

    @task(4)
    def dashboard(self) -> None:
        self._harvest(self.page("/", "dashboard", "Dashboard"))

    @task(3)
    def case_list(self) -> None:
        self._harvest(self.page("/cases/", "case list", '<h1 class="govuk-heading-l">Cases'))

    @task(3)
    def case_list_filtered(self) -> None:
        choice = random.random()
        params: dict[str, str]
        if choice < 0.3 or not self.options:
            params = {"open_only": "true"}
        elif choice < 0.5:
            params = {"status": random.choice(STATUSES)}
        elif choice < 0.65 and self.surnames:
            self.search(random.choice(self.surnames))
            return
        else:
            field = random.choice([f for f, v in self.options.items() if v] or ["open_only"])
            values = self.options.get(field) or ["true"]
            params = {field: random.choice(values), "open_only": "true"}
        query = "&".join(f"{k}={v}" for k, v in params.items())
        self._harvest(self.page(f"/cases/?{query}", "case list (filtered)", "these filters"))

    def search(self, words: str) -> None:
        """The case list keeps search words out of its URLs: they go in the session and the
        list redirects to ?search=<key> (cases/views/search_memory.py)."""
        with self.client.get(
            f"/cases/?q={words}",
            name="case list (search: redirect)",
            allow_redirects=False,
            catch_response=True,
        ) as sent:
            where = (sent.headers or {}).get("Location", "")
            if sent.status_code != 302 or "search=" not in where:
                sent.failure(f"{sent.status_code} {where}")
                return
        self._harvest(self.page(where, "case list (search)", "these filters"))

    @task(2)
    def case_list_page(self) -> None:
        page = random.randint(2, 20)
        # A page past the end shows the last one (Paginator.get_page): still a 200.
        self._harvest(self.page(f"/cases/?page={page}", "case list (page 2-20)", "Page "))

    @task(5)
    def case_page(self) -> None:
        if not self.case_ids:
            self.case_list()
            return
        case_id = random.choice(self.case_ids)
        self.page(f"/cases/{case_id}/", "case page", "Timeline")

    @task(2)
    def task_list(self) -> None:
        show = random.choice(("overdue", "overdue", "today", "week"))
        who = random.choice(("me", "me", "team"))
        self.page(f"/tasks/?show={show}&who={who}", "tasks", "Tasks:")

    @task(1)
    def incoming(self) -> None:
        self.page("/intake/incoming/", "incoming queue", '<h1 class="govuk-heading-l">Incoming')


class School(SignedIn):
    fixed_count = 10
    wait_time = _wait("LOAD_SCHOOL_WAIT", "5,15")

    def on_start(self) -> None:
        self.username = school_username(next(_schools))
        self.new_schools: list[str] = []
        super().on_start()

    @task(3)
    def send_deletion_return(self) -> None:
        form = self.page("/intake/returns/deletion/", "school: deletion form", "deletion return")
        token = CSRF.search(form)
        if token is None:
            return
        if not self.new_schools:
            select = re.search(r'<select name="new_school".*?</select>', form, re.S)
            self.new_schools = re.findall(r'value="(\d+)"', select.group(0)) if select else []
        with self.client.post(
            "/intake/returns/deletion/",
            data=self._deletion(token.group(1)),
            name="school: deletion post",
            allow_redirects=False,
            catch_response=True,
        ) as sent:
            where = sent.headers.get("Location", "") if sent.headers else ""
            if sent.status_code != 302 or "/intake/submissions/" not in where:
                errors = re.findall(r'govuk-error-message">\s*(?:<[^>]+>[^<]*</[^>]+>)?([^<]+)',
                                    sent.text or "")  # fmt: skip
                sent.failure(f"{sent.status_code}: {'; '.join(e.strip() for e in errors)[:200]}")
                return
        self.page(where, "school: submission page", "Deletion return")

    @task(1)
    def my_submissions(self) -> None:
        with self.client.get(
            "/", name="school: / (redirect)", allow_redirects=False, catch_response=True
        ) as home:
            if home.status_code != 302 or not (home.headers or {}).get("Location", "").endswith(
                "/intake/"
            ):
                home.failure(f"{home.status_code}")
                return
        self.page("/intake/", "school: my submissions", "<h1")

    def _deletion(self, token: str) -> dict[str, str]:
        today = date.today()
        sex = random.choice("FM")
        dob = today - timedelta(days=random.randint(6 * 365, 15 * 365))
        ground = random.choice(GROUNDS)
        removed = today + timedelta(days=random.randint(0, 2))
        upn = ""
        if random.random() < 0.7:
            allocated = dob.year % 100 + 4  # the year the child joined a school, at four
            body = f"343{random.randint(2000, 2999)}{allocated:02d}{random.randint(0, 999):03d}"
            upn = upn_check_letter(body) + body
        data = {
            "csrfmiddlewaretoken": token,
            "forenames": random.choice(GIRLS if sex == "F" else BOYS),
            "surname": random.choice(SURNAMES) + "-" + random.choice(SURNAMES),
            "sex": sex,
            "upn": upn,
            "address_line_1": f"{random.randint(1, 180)} Example Road",
            "town": "Bootle",
            "postcode": "L20 7AE",
            "parent_names": "Jo Example",
            "emergency_phone": f"07700 900{random.randint(0, 999):03d}",
            "parent_address": "",
            "parent_2_name": "",
            "parent_2_phone": "",
            "ground": ground,
            "new_address": "",
            "new_school_name": "",
            "submit": "Send deletion return",
        }
        for prefix, value in (
            ("date_of_birth", dob),
            ("deletion_date", removed),
            ("absence_from", None),
            ("new_address_from", None),
            ("new_school_start", removed + timedelta(days=3) if ground == "a" else None),
        ):
            parts = ("", "", "") if value is None else (value.day, value.month, value.year)
            for i, part in enumerate(parts):
                data[f"{prefix}_{i}"] = str(part)
        if ground == "a" and self.new_schools:
            data["new_school"] = random.choice(self.new_schools)
        elif ground == "g":
            data["new_school_name"] = "St Example's, Wigan"
        return data
