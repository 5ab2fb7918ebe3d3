"""Headings of MIS "student list" exports (SIMS, Arbor, Bromcom, ScholarPack and the like), as
heading keys (`columns.heading_key`). Data, not code: a heading seen in the wild is one more
entry. "Reg Group", "House" and other extras are simply not listed, so ignored."""

from __future__ import annotations

from .columns import Headings

HEADINGS: Headings = {
    "upn": ("upn", "uniquepupilnumber"),
    "former_upn": ("formerupn", "previousupn", "oldupn"),
    "surname": ("legalsurname", "surname", "legallastname", "lastname", "familyname"),
    "forename": (
        "legalforename",
        "legalforenames",
        "forename",
        "forenames",
        "legalfirstname",
        "firstname",
        "givenname",
    ),
    "middle_names": ("middlenames", "middlename", "legalmiddlenames", "legalmiddlename"),
    "preferred_surname": ("preferredsurname", "preferredlastname", "formersurname"),
    "preferred_forename": ("preferredforename", "preferredfirstname", "preferredname", "knownas"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate"),
    "sex": ("gender", "sex", "legalsex"),
    "year_group": (
        "year",
        "yeargroup",
        "ncyear",
        "ncyearactual",
        "nationalcurriculumyear",
        "curriculumyear",
    ),
    "enrolment_status": ("enrolmentstatus", "enrolstatus"),
    "entry_date": ("admissiondate", "dateofadmission", "entrydate", "startdate"),
    "leaving_date": ("leavingdate", "dateofleaving", "leavedate", "enddate"),
    "postcode": ("postcode", "addresspostcode"),
    # Every one of these present is joined, in file order, into the one-line address.
    "address": (
        "address",
        "addressline1",
        "addressline2",
        "addressline3",
        "addressline4",
        "addressline5",
        "street",
        "locality",
        "town",
        "county",
    ),
    "school_urn": ("urn", "schoolurn"),
    "school_laestab": ("laestab", "dfenumber", "dfeno", "schooldfenumber", "dfe"),
    # "School" may hold a URN, a DfE number or the school's name: judged per cell.
    "school": ("school",),
    "school_name": ("schoolname",),
}
