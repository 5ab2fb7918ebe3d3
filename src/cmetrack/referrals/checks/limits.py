"""The longest value each intake field may hold, and the plausible range of its dates.

The models take their `max_length` from here and the checks refuse longer values with a clear
message, so a too-long surname is a row error in the preview, never a database error at commit.
"""

from __future__ import annotations

from datetime import date

MAX_LENGTH: dict[str, int] = {
    "forenames": 100,
    "surname": 100,
    "upn": 13,
    "address_line_1": 200,
    "town": 100,
    "postcode": 20,
    "parent_names": 300,
    "parent_phone": 40,
    "emergency_phone": 40,
    "parent_2_name": 300,
    "parent_2_phone": 40,
    "new_school_name": 200,
    "previous_school": 200,
}

LABELS: dict[str, str] = {
    "forenames": "The first name",
    "surname": "The surname",
    "upn": "The UPN",
    "address_line_1": "The address",
    "town": "The town",
    "postcode": "The postcode",
    "parent_names": "The parents' names",
    "parent_phone": "The phone number",
    "emergency_phone": "The emergency phone number",
    "parent_2_name": "The second parent's name",
    "parent_2_phone": "The second parent's phone number",
    "new_school_name": "The new school's name",
    "previous_school": "The previous school",
    "new_address": "The new address",
    "parent_address": "The parents' address",
}

# Free-text fields without a column limit still get one: nobody writes a 20,000-character address.
TEXT_MAX_LENGTH = 2000

# A child of compulsory school age was born within the last 25 years (DOMAIN.md §10 keeps records
# to 25); an event about a child (removal, start, move) is not before 2000 nor a year ahead.
OLDEST_CHILD_YEARS = 25
EARLIEST_EVENT = date(2000, 1, 1)
LATEST_EVENT_DAYS_AHEAD = 366


def too_long(field_name: str, value: str) -> str | None:
    """The message for a value longer than its field allows, or None."""
    limit = MAX_LENGTH.get(field_name, TEXT_MAX_LENGTH)
    if len(value) <= limit:
        return None
    label = LABELS.get(field_name, "The value")
    return f"{label} must be {limit} characters or fewer (it has {len(value)})"
