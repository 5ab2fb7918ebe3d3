"""Locust users for the API load benchmark (run_api_load.py): school systems sending deletion
returns to `POST /api/v1/deletion-returns/` as fast as the target rate asks.

Each user holds one school's token (LOAD_API_TOKENS, a file of tokens one a line, as
api_tokens.py writes it) and sends at LOAD_API_RATE_PER_USER returns a second
(`constant_throughput`): so the total rate is users x that, spread over the tokens so that no
token passes the API's own rate limit. A request fails unless it is a 201 with a reference.
"""

from __future__ import annotations

import itertools
import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from locust import constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

# Importing the browsing benchmark's locustfile registers its request log (LOAD_REQUEST_LOG),
# which run_api_load.py reads; its user classes are not imported, so locust runs only ours.
from locustfile import BOYS, GIRLS, GROUNDS, SURNAMES

from cmetrack.core.upn import upn_check_letter

TOKENS = Path(os.environ["LOAD_API_TOKENS"]).read_text().split()
_tokens = itertools.cycle(TOKENS)
RATE = float(os.environ.get("LOAD_API_RATE_PER_USER", "5"))


def deletion_return() -> dict[str, Any]:
    """A valid deletion return as a school's MIS would send it (no ground (h)/(i): those open a
    case on arrival, which is not the load this measures)."""
    today = date.today()
    sex = random.choice("FM")
    dob = today - timedelta(days=random.randint(6 * 365, 15 * 365))
    ground = random.choice([g for g in GROUNDS if g != "a"])  # (a) needs the new school's URN
    body: dict[str, Any] = {
        "forenames": random.choice(GIRLS if sex == "F" else BOYS),
        "surname": random.choice(SURNAMES) + "-" + random.choice(SURNAMES),
        "date_of_birth": dob.isoformat(),
        "sex": sex,
        "address_line_1": f"{random.randint(1, 180)} Example Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
        "parent_names": "Jo Example",
        "emergency_phone": f"07700 900{random.randint(0, 999):03d}",
        "ground": ground,
        "deletion_date": (today + timedelta(days=random.randint(0, 2))).isoformat(),
    }
    if random.random() < 0.7:
        allocated = dob.year % 100 + 4
        digits = f"343{random.randint(2000, 2999)}{allocated:02d}{random.randint(0, 999):03d}"
        body["upn"] = upn_check_letter(digits) + digits
    if ground == "g":
        body["new_school_name"] = "St Example's, Wigan"
    return body


class SchoolSystem(FastHttpUser):
    wait_time = constant_throughput(RATE)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(_tokens)}"}

    @task
    def send_deletion_return(self) -> None:
        with self.client.post(
            "/api/v1/deletion-returns/",
            json=deletion_return(),
            headers=self.headers,
            name="api: deletion return",
            catch_response=True,
        ) as sent:
            if sent.status_code != 201 or "reference" not in (sent.text or ""):
                sent.failure(f"{sent.status_code}: {(sent.text or '')[:200]}")
