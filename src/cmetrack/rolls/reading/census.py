"""The school census pupil module's headings (a school's own file, or an LA-wide extract with
the school on each row), as heading keys (`columns.heading_key`). Data, not code: a heading
seen in the wild is one more entry."""

from __future__ import annotations

from .columns import Headings

HEADINGS: Headings = {
    "upn": ("upn",),
    "former_upn": ("formerupn",),
    "surname": ("surname",),
    "forename": ("forename", "forenames"),
    "middle_names": ("middlenames",),
    # FormerSurname is what some extracts carry instead: the other surname the child is known by.
    "preferred_surname": ("preferredsurname", "formersurname"),
    "preferred_forename": ("preferredforename",),
    "date_of_birth": ("dob", "dateofbirth"),
    "sex": ("sex", "gender"),  # Gender in older files
    "year_group": ("ncyearactual",),
    "enrolment_status": ("enrolstatus",),
    "entry_date": ("entrydate",),
    "leaving_date": ("leavingdate",),
    "postcode": ("postcode",),
    # LA-wide extracts: the school on each row.
    "school_laestab": ("laestab",),
    "school_urn": ("urn",),
    "school_la": ("la", "lea"),
    "school_estab": ("estab",),
    "school_name": ("schoolname",),
}

# Headings only a census-style file has: their presence says "census" rather than "MIS".
MARKERS = frozenset({"ncyearactual", "enrolstatus"})
