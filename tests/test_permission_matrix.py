"""The permission matrix (issue 11): every URL and method x every role, with its expected answer.

`MATRIX_TABLE` below is the one table of who may do what through the web. Its routes are
checked against the URL configuration (`django.urls.get_resolver()`, walked recursively): a
route with no row fails `test_every_route_has_a_row`, naming the rows to add, and a row for a
route that no longer exists fails too. Django's own admin site (`admin/`) has its own permission
system and is left out, but for the views this project adds to it (they have rows) and one GET
of /admin/ per persona (`test_django_admin_refuses_everyone_but_administrators`).

Each row is one route (or one variant of it, `route@variant`, asked about another object) and one
method, with one answer per persona:

    ok   allowed: not 401/403/404/405 and below 500 (a page, a form with errors, a redirect)
    403  refused (PermissionDenied)
    404  refused without saying whether the thing exists (scoped away from this persona)
    405  the method is not allowed (`require_POST`, `require_safe`, `require_GET`, LogoutView)
    in   sent to sign in: 302 to /account/sign-in/?next=... (LoginRequiredMiddleware)
    ain  sent to Django admin's sign-in: 302 to /admin/login/?next=... (not staff)
    401  the API without a bearer token: a session, signed in or not, is no way in (the API's
         own tests, src/cmetrack/api/tests/, ask each role with a token)

GET and POST (an empty form) are asked; HEAD follows GET: each GET row is asked again as HEAD,
of one persona for each different answer in it, and must answer the same. A refused request
must change nothing: the audit log, the timeline and every table a page writes to are counted,
and the records a page could move on read, before and after (`world_state`).

The world the questions are asked in is built once for this module (permission_fixtures.py),
inside a transaction rolled back at the end; every check runs in a savepoint of its own, rolled
back after it, so a POST that closes a case or commits an import leaves the next check the same
world.

Adding a role is one column: a persona in `permission_fixtures.PERSONAS` (with its user), a
column name in `COLUMNS`, and one more answer on each row. The EHE officer's column (issue 10)
was added so: outside the register, the EHE officer is refused the CME team's pages and the
partners' intake pages alike, and has what every signed-in user has (account pages).

A problem the matrix found and that is not fixed yet is in `KNOWN_PROBLEMS`, its row recording
the answer it should give: the check is expected to fail (strict), so once it is fixed the
check passes, strict xfail turns that into a failure, and the entry is to be removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .permission_fixtures import ANONYMOUS, PERSONAS, World, build_world, world_state

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
    from pytest_django.plugin import DjangoDbBlocker

# The table's column names, in order, and the persona each stands for.
COLUMNS: dict[str, str] = {
    "off": "officer",  # CME officer
    "man": "manager",  # CME manager
    "adm": "admin_user",  # the authority's administrator (is_staff)
    "sch": "school_user",  # a user of school A
    "sch2": "other_school_user",  # a user of school B
    "agy": "agency_user",  # a user of agency A (health visiting)
    "agy2": "other_agency_user",  # a user of agency B (youth justice)
    "ola": "outsider",  # another authority's user (Wirral)
    "ehe": "ehe_officer",  # the authority's elective home education officer
    "anon": ANONYMOUS,  # not signed in
}
METHODS = ("GET", "POST")
CODES = {
    "ok": "allowed",
    "403": "403",
    "404": "404",
    "405": "405",
    "in": "sign-in",
    "ain": "admin sign-in",
    "401": "401 (the API: no bearer token)",
}

# fmt: off
MATRIX_TABLE = """
route                               method off  man  adm  sch  sch2 agy  agy2 ola  ehe  anon

# --- cases: the CME team's pages (la_staff_required: anyone else 403, before any lookup) -----
# Everyone lands here after signing in; partners are sent on to intake/, the EHE officer to ehe/.
cases:dashboard                     GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   in
cases:dashboard                     POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   in
cases:list                          GET    ok   ok   ok   403  403  403  403  403  403  in
cases:list                          POST   ok   ok   ok   403  403  403  403  403  403  in
cases:tasks                         GET    ok   ok   ok   403  403  403  403  403  403  in
cases:tasks                         POST   ok   ok   ok   403  403  403  403  403  403  in
# The lists' exports (issue 10) are require_safe, then the list's own check.
cases:list-export                   GET    ok   ok   ok   403  403  403  403  403  403  in
cases:list-export                   POST   405  405  405  405  405  405  405  405  405  in
cases:tasks-export                  GET    ok   ok   ok   403  403  403  403  403  403  in
cases:tasks-export                  POST   405  405  405  405  405  405  405  405  405  in
cases:detail                        GET    ok   ok   ok   403  403  403  403  403  403  in
cases:detail                        POST   ok   ok   ok   403  403  403  403  403  403  in
# A case that does not exist: partners get the same 403 as for one that does (nothing learnt).
cases:detail@unknown                GET    404  404  404  403  403  403  403  403  403  in
cases:detail@unknown                POST   404  404  404  403  403  403  403  403  403  in
cases:status                        GET    ok   ok   ok   403  403  403  403  403  403  in
cases:status                        POST   ok   ok   ok   403  403  403  403  403  403  in
cases:assign                        GET    ok   ok   ok   403  403  403  403  403  403  in
cases:assign                        POST   ok   ok   ok   403  403  403  403  403  403  in
cases:note                          GET    ok   ok   ok   403  403  403  403  403  403  in
cases:note                          POST   ok   ok   ok   403  403  403  403  403  403  in
cases:risk                          GET    ok   ok   ok   403  403  403  403  403  403  in
cases:risk                          POST   ok   ok   ok   403  403  403  403  403  403  in
cases:category                      GET    ok   ok   ok   403  403  403  403  403  403  in
cases:category                      POST   ok   ok   ok   403  403  403  403  403  403  in
cases:primary-reason                GET    ok   ok   ok   403  403  403  403  403  403  in
cases:primary-reason                POST   ok   ok   ok   403  403  403  403  403  403  in
cases:close                         GET    ok   ok   ok   403  403  403  403  403  403  in
cases:close                         POST   ok   ok   ok   403  403  403  403  403  403  in
cases:reopen                        GET    ok   ok   ok   403  403  403  403  403  403  in
cases:reopen                        POST   ok   ok   ok   403  403  403  403  403  403  in
cases:flag-add                      GET    ok   ok   ok   403  403  403  403  403  403  in
cases:flag-add                      POST   ok   ok   ok   403  403  403  403  403  403  in
# The one-click actions are require_POST (inside la_staff_required: partners still 403).
cases:flag-remove                   GET    405  405  405  403  403  403  403  403  403  in
cases:flag-remove                   POST   ok   ok   ok   403  403  403  403  403  403  in
cases:task-add                      GET    ok   ok   ok   403  403  403  403  403  403  in
cases:task-add                      POST   ok   ok   ok   403  403  403  403  403  403  in
cases:task-done                     GET    405  405  405  403  403  403  403  403  403  in
cases:task-done                     POST   ok   ok   ok   403  403  403  403  403  403  in
cases:enquiry-add                   GET    ok   ok   ok   403  403  403  403  403  403  in
cases:enquiry-add                   POST   ok   ok   ok   403  403  403  403  403  403  in
cases:enquiry-not-applicable        GET    ok   ok   ok   403  403  403  403  403  403  in
cases:enquiry-not-applicable        POST   ok   ok   ok   403  403  403  403  403  403  in
cases:escalation-acknowledge        GET    405  405  405  403  403  403  403  403  403  in
cases:escalation-acknowledge        POST   ok   ok   ok   403  403  403  403  403  403  in
cases:escalation-resolve            GET    ok   ok   ok   403  403  403  403  403  403  in
cases:escalation-resolve            POST   ok   ok   ok   403  403  403  403  403  403  in
# Managers only: the officer is refused too.
cases:enquiries-exhausted           GET    403  ok   ok   403  403  403  403  403  403  in
cases:enquiries-exhausted           POST   403  ok   ok   403  403  403  403  403  403  in
cases:approvals                     GET    403  ok   ok   403  403  403  403  403  403  in
cases:approvals                     POST   403  ok   ok   403  403  403  403  403  403  in
# require_POST comes before the manager check: a GET is 405 for the officer too.
cases:closure-approve               GET    405  405  405  403  403  403  403  403  403  in
cases:closure-approve               POST   403  ok   ok   403  403  403  403  403  403  in
cases:closure-return                GET    403  ok   ok   403  403  403  403  403  403  in
cases:closure-return                POST   403  ok   ok   403  403  403  403  403  403  in

# --- the team's referral entry, school patterns, reports, matching, subject access ----------
referrals:team-referral             GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:team-referral             POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:school-patterns           GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:school-patterns           POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:school-patterns-csv       GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:school-patterns-csv       POST   ok   ok   ok   403  403  403  403  403  403  in
# The CME team's view of its schools: a school's own users are refused too.
referrals:school-pattern            GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:school-pattern            POST   ok   ok   ok   403  403  403  403  403  403  in
reports:cme-return                  GET    ok   ok   ok   403  403  403  403  403  403  in
reports:cme-return                  POST   ok   ok   ok   403  403  403  403  403  403  in
# Candidates are require_safe (GET and HEAD); "not the same" is a POST.
matching:candidates                 GET    ok   ok   ok   403  403  403  403  403  403  in
matching:candidates                 POST   405  405  405  403  403  403  403  403  403  in
matching:merge                      GET    ok   ok   ok   403  403  403  403  403  403  in
matching:merge                      POST   ok   ok   ok   403  403  403  403  403  403  in
matching:not-the-same               GET    405  405  405  403  403  403  403  403  403  in
matching:not-the-same               POST   ok   ok   ok   403  403  403  403  403  403  in
# Subject access: managers only.
privacy:subject-access              GET    403  ok   ok   403  403  403  403  403  403  in
privacy:subject-access              POST   403  ok   ok   403  403  403  403  403  403  in
# The managers' dashboard and its exports (issue 10): managers and administrators only.
reports:dashboard                   GET    403  ok   ok   403  403  403  403  403  403  in
reports:dashboard                   POST   403  ok   ok   403  403  403  403  403  403  in
reports:dashboard-export            GET    403  ok   ok   403  403  403  403  403  403  in
reports:dashboard-export            POST   403  ok   ok   403  403  403  403  403  403  in
# The reference-data page (issue 16): counts only, so the whole CME team reads it; edits are in
# Django admin. A POST is the same read (like the team's other pages).
reports:reference-data              GET    ok   ok   ok   403  403  403  403  403  403  in
reports:reference-data              POST   ok   ok   ok   403  403  403  403  403  403  in
# Who looked at a child and what changed (issue 11): managers and administrators only.
privacy:child-audit                 GET    403  ok   ok   403  403  403  403  403  403  in
privacy:child-audit                 POST   405  405  405  405  405  405  405  405  405  in
privacy:child-audit-csv             GET    403  ok   ok   403  403  403  403  403  403  in
privacy:child-audit-csv             POST   405  405  405  405  405  405  405  405  405  in

# --- intake: partners send, and see only what their own organisation sent ------------------
# What my organisation sent (the team is sent on to incoming/); the forms for each sender.
referrals:mine                      GET    ok   ok   ok   ok   ok   ok   ok   ok   403  in
referrals:mine                      POST   ok   ok   ok   ok   ok   ok   ok   ok   403  in
# Its export: each partner's own rows; the team is sent on to the incoming queue's export.
referrals:mine-export               GET    ok   ok   ok   ok   ok   ok   ok   ok   403  in
referrals:mine-export               POST   405  405  405  405  405  405  405  405  405  in
referrals:deletion                  GET    ok   ok   ok   ok   ok   403  403  403  403  in
referrals:deletion                  POST   ok   ok   ok   ok   ok   403  403  403  403  in
referrals:new-pupil                 GET    ok   ok   ok   ok   ok   403  403  403  403  in
referrals:new-pupil                 POST   ok   ok   ok   ok   ok   403  403  403  403  in
referrals:referral                  GET    ok   ok   ok   ok   ok   ok   ok   403  403  in
referrals:referral                  POST   ok   ok   ok   ok   ok   ok   ok   403  403  in
referrals:other-la                  GET    ok   ok   ok   403  403  403  403  ok   403  in
referrals:other-la                  POST   ok   ok   ok   403  403  403  403  ok   403  in
# One submission from each sender: its own organisation and the team see it; nobody else
# learns that it exists (404, not 403).
referrals:submission@school-a       GET    ok   ok   ok   ok   404  404  404  404  403  in
referrals:submission@school-a       POST   ok   ok   ok   ok   404  404  404  404  403  in
referrals:submission@school-b       GET    ok   ok   ok   404  ok   404  404  404  403  in
referrals:submission@school-b       POST   ok   ok   ok   404  ok   404  404  404  403  in
referrals:submission@agency-a       GET    ok   ok   ok   404  404  ok   404  404  403  in
referrals:submission@agency-a       POST   ok   ok   ok   404  404  ok   404  404  403  in
referrals:submission@other-la       GET    ok   ok   ok   404  404  404  404  ok   403  in
referrals:submission@other-la       POST   ok   ok   ok   404  404  404  404  ok   403  in
referrals:submission@unknown        GET    404  404  404  404  404  404  404  404  403  in
referrals:submission@unknown        POST   404  404  404  404  404  404  404  404  403  in
referrals:import                    GET    ok   ok   ok   ok   ok   403  403  403  403  in
referrals:import                    POST   ok   ok   ok   ok   ok   403  403  403  403  in
referrals:import-template           GET    ok   ok   ok   ok   ok   403  403  403  403  in
referrals:import-template           POST   ok   ok   ok   ok   ok   403  403  403  403  in
# Imports: school A's batch, then one the team uploaded; committing is require_POST first.
referrals:import-preview            GET    ok   ok   ok   ok   404  403  403  403  403  in
referrals:import-preview            POST   ok   ok   ok   ok   404  403  403  403  403  in
referrals:import-preview@team       GET    ok   ok   ok   404  404  403  403  403  403  in
referrals:import-preview@team       POST   ok   ok   ok   404  404  403  403  403  403  in
referrals:import-commit             GET    405  405  405  405  405  405  405  405  405  in
referrals:import-commit             POST   ok   ok   ok   ok   404  403  403  403  403  in

# --- triage: the CME team's incoming queue (school A's deletion return under ground (h)) ----
referrals:incoming                  GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:incoming                  POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:incoming-export           GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:incoming-export           POST   405  405  405  405  405  405  405  405  405  in
referrals:triage                    GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:triage                    POST   ok   ok   ok   403  403  403  403  403  403  in
# require_POST comes before la_staff_required on the triage actions: a GET is 405 for all.
referrals:apply                     GET    405  405  405  405  405  405  405  405  405  in
referrals:apply                     POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:open-case                 GET    405  405  405  405  405  405  405  405  405  in
referrals:open-case                 POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:link                      GET    405  405  405  405  405  405  405  405  405  in
referrals:link                      POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:no-action                 GET    405  405  405  405  405  405  405  405  405  in
referrals:no-action                 POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:ask-more                  GET    405  405  405  405  405  405  405  405  405  in
referrals:ask-more                  POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:confirm                   GET    405  405  405  405  405  405  405  405  405  in
referrals:confirm                   POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:close-case                GET    405  405  405  405  405  405  405  405  405  in
referrals:close-case                POST   ok   ok   ok   403  403  403  403  403  403  in
# The sender may see its return (so 403, not 404), the team alone records the confirmation.
referrals:destination-confirm       GET    405  405  405  405  405  405  405  405  405  in
referrals:destination-confirm       POST   ok   ok   ok   403  404  404  404  404  404  in

# --- hand-overs to another authority ------------------------------------------------------
referrals:handovers                 GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:handovers                 POST   ok   ok   ok   403  403  403  403  403  403  in
referrals:handover                  GET    ok   ok   ok   403  403  403  403  403  403  in
referrals:handover                  POST   ok   ok   ok   403  403  403  403  403  403  in
# What Wirral receives: other authorities' users only (the team works the sending side).
referrals:handovers-received        GET    403  403  403  403  403  403  403  ok   403  in
referrals:handovers-received        POST   403  403  403  403  403  403  403  ok   403  in
referrals:handover-reply            GET    403  403  403  403  403  403  403  ok   403  in
referrals:handover-reply            POST   403  403  403  403  403  403  403  ok   403  in
# A hand-over to Knowsley: Wirral's user is not told it exists.
referrals:handover-reply@knowsley   GET    403  403  403  403  403  403  403  404  403  in
referrals:handover-reply@knowsley   POST   403  403  403  403  403  403  403  404  403  in

# --- the elective home education register (issue 10): the EHE team works it, the CME team
# reads it and may record a parent's notice, managers acknowledge a child protection alert;
# partners are refused before any lookup. The list and a record's page are require_safe.
ehe:register                        GET    ok   ok   ok   403  403  403  403  403  ok   in
ehe:register                        POST   405  405  405  405  405  405  405  405  405  in
# The register's export: the EHE team and managers; a CME officer reads it but does not export.
ehe:register-export                 GET    403  ok   ok   403  403  403  403  403  ok   in
ehe:register-export                 POST   405  405  405  405  405  405  405  405  405  in
ehe:add                             GET    ok   ok   ok   403  403  403  403  403  ok   in
ehe:add                             POST   ok   ok   ok   403  403  403  403  403  ok   in
ehe:record                          GET    ok   ok   ok   403  403  403  403  403  ok   in
ehe:record                          POST   405  405  405  405  405  405  405  405  405  in
ehe:record@unknown                  GET    404  404  404  403  403  403  403  403  404  in
ehe:record@unknown                  POST   405  405  405  405  405  405  405  405  405  in
# Reviews and ending a record are the EHE team's alone (the CME team reads the record).
ehe:review                          GET    403  403  403  403  403  403  403  403  ok   in
ehe:review                          POST   403  403  403  403  403  403  403  403  ok   in
ehe:end                             GET    403  403  403  403  403  403  403  403  ok   in
ehe:end                             POST   403  403  403  403  403  403  403  403  ok   in
# A child with a child protection plan withdrawn to home education: managers only.
ehe:alert                           GET    403  ok   ok   403  403  403  403  403  403  in
ehe:alert                           POST   403  ok   ok   403  403  403  403  403  403  in

# --- letters: the CME team fills letters from a case; administrators keep the templates ------
letters:case                        GET    ok   ok   ok   403  403  403  403  403  403  in
letters:case                        POST   405  405  405  405  405  405  405  405  405  in
letters:preview                     GET    ok   ok   ok   403  403  403  403  403  403  in
letters:preview                     POST   ok   ok   ok   403  403  403  403  403  403  in
letters:download                    GET    ok   ok   ok   403  403  403  403  403  403  in
letters:download                    POST   405  405  405  405  405  405  405  405  405  in
letters:download@unknown            GET    404  404  404  403  403  403  403  403  403  in
letters:download@unknown            POST   405  405  405  405  405  405  405  405  405  in
letters:templates                   GET    403  403  ok   403  403  403  403  403  403  in
letters:templates                   POST   405  405  405  405  405  405  405  405  405  in
letters:template-add                GET    403  403  ok   403  403  403  403  403  403  in
letters:template-add                POST   403  403  ok   403  403  403  403  403  403  in
letters:template-upload             GET    403  403  ok   403  403  403  403  403  403  in
letters:template-upload             POST   403  403  ok   403  403  403  403  403  403  in
letters:template-version            GET    403  403  ok   403  403  403  403  403  403  in
letters:template-version            POST   405  405  405  405  405  405  405  405  405  in
# The blank forms carry the authority's details only: anyone may have them, signed in or not.
letters:blank-form                  GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
letters:blank-form                  POST   405  405  405  405  405  405  405  405  405  405

# --- the public information page: anyone reads it; CME managers and administrators edit it --
publicinfo:page                     GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
publicinfo:page                     POST   405  405  405  405  405  405  405  405  405  405
publicinfo:document                 GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
publicinfo:document                 POST   405  405  405  405  405  405  405  405  405  405
publicinfo:edit                     GET    403  ok   ok   403  403  403  403  403  403  in
publicinfo:edit                     POST   403  ok   ok   403  403  403  403  403  403  in
publicinfo:document-add             GET    403  ok   ok   403  403  403  403  403  403  in
publicinfo:document-add             POST   403  ok   ok   403  403  403  403  403  403  in
publicinfo:document-remove          GET    403  ok   ok   403  403  403  403  403  403  in
publicinfo:document-remove          POST   403  ok   ok   403  403  403  403  403  403  in

# --- the REST API: bearer tokens only (a signed-in browser session is refused like anyone) ---
api:schema                          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
api:schema                          POST   405  405  405  405  405  405  405  405  405  405
api:not-found                       GET    404  404  404  404  404  404  404  404  404  404
api:not-found                       POST   404  404  404  404  404  404  404  404  404  404
api:deletion-returns                GET    401  401  401  401  401  401  401  401  401  401
api:deletion-returns                POST   401  401  401  401  401  401  401  401  401  401
api:new-pupil-returns               GET    401  401  401  401  401  401  401  401  401  401
api:new-pupil-returns               POST   401  401  401  401  401  401  401  401  401  401
api:referrals                       GET    401  401  401  401  401  401  401  401  401  401
api:referrals                       POST   401  401  401  401  401  401  401  401  401  401
api:other-la-notifications          GET    401  401  401  401  401  401  401  401  401  401
api:other-la-notifications          POST   401  401  401  401  401  401  401  401  401  401
api:batches                         GET    401  401  401  401  401  401  401  401  401  401
api:batches                         POST   401  401  401  401  401  401  401  401  401  401
api:imports                         GET    401  401  401  401  401  401  401  401  401  401
api:imports                         POST   401  401  401  401  401  401  401  401  401  401
api:import                          GET    401  401  401  401  401  401  401  401  401  401
api:import                          POST   401  401  401  401  401  401  401  401  401  401
api:import-commit                   GET    401  401  401  401  401  401  401  401  401  401
api:import-commit                   POST   401  401  401  401  401  401  401  401  401  401
api:submissions                     GET    401  401  401  401  401  401  401  401  401  401
api:submissions                     POST   401  401  401  401  401  401  401  401  401  401
api:submission                      GET    401  401  401  401  401  401  401  401  401  401
api:submission                      POST   401  401  401  401  401  401  401  401  401  401
api:cases                           GET    401  401  401  401  401  401  401  401  401  401
api:cases                           POST   401  401  401  401  401  401  401  401  401  401
api:case                            GET    401  401  401  401  401  401  401  401  401  401
api:case                            POST   401  401  401  401  401  401  401  401  401  401
api:tasks                           GET    401  401  401  401  401  401  401  401  401  401
api:tasks                           POST   401  401  401  401  401  401  401  401  401  401
# exchange (issue 15): another authority's cmetrack delivers here, with a peer's signed token;
# no persona's session is a token, so every persona is 401 (test_inbound.py covers the tokens)
api:exchange-api:notifications      GET    401  401  401  401  401  401  401  401  401  401
api:exchange-api:notifications      POST   401  401  401  401  401  401  401  401  401  401
api:exchange-api:replies            GET    401  401  401  401  401  401  401  401  401  401
api:exchange-api:replies            POST   401  401  401  401  401  401  401  401  401  401
api:exchange-api:withdrawals        GET    401  401  401  401  401  401  401  401  401  401
api:exchange-api:withdrawals        POST   401  401  401  401  401  401  401  401  401  401
# a hand-over's export for secure e-mail: the CME team's, read only
exchange:handover-export            GET    ok   ok   ok   403  403  403  403  403  403  in
exchange:handover-export            POST   405  405  405  405  405  405  405  405  405  in

# --- attachments: evidence on a case, the CME team's alone (refused before any lookup); the
# download is require_safe inside the team check, so a partner's POST is 403, the team's 405.
attachments:add                     GET    ok   ok   ok   403  403  403  403  403  403  in
attachments:add                     POST   ok   ok   ok   403  403  403  403  403  403  in
attachments:add@unknown             GET    404  404  404  403  403  403  403  403  403  in
attachments:add@unknown             POST   404  404  404  403  403  403  403  403  403  in
attachments:download                GET    ok   ok   ok   403  403  403  403  403  403  in
attachments:download                POST   405  405  405  403  403  403  403  403  403  in
attachments:download@unknown        GET    404  404  404  403  403  403  403  403  403  in
attachments:download@unknown        POST   405  405  405  403  403  403  403  403  403  in
attachments:remove                  GET    ok   ok   ok   403  403  403  403  403  403  in
attachments:remove                  POST   ok   ok   ok   403  403  403  403  403  403  in

# --- register migration: the CME team's alone (refused before any lookup); the team's upload
# (header read, columns not yet confirmed); an unknown id is 404; committing is require_POST
# first
register_import:list                GET    ok   ok   ok   403  403  403  403  403  403  in
register_import:list                POST   ok   ok   ok   403  403  403  403  403  403  in
register_import:upload              GET    ok   ok   ok   403  403  403  403  403  403  in
register_import:upload              POST   ok   ok   ok   403  403  403  403  403  403  in
register_import:detail              GET    ok   ok   ok   403  403  403  403  403  403  in
register_import:detail              POST   ok   ok   ok   403  403  403  403  403  403  in
register_import:detail@unknown      GET    404  404  404  403  403  403  403  403  403  in
register_import:detail@unknown      POST   404  404  404  403  403  403  403  403  403  in
register_import:columns             GET    ok   ok   ok   403  403  403  403  403  403  in
register_import:columns             POST   ok   ok   ok   403  403  403  403  403  403  in
register_import:codes               GET    ok   ok   ok   403  403  403  403  403  403  in
register_import:codes               POST   ok   ok   ok   403  403  403  403  403  403  in
register_import:commit              GET    405  405  405  405  405  405  405  405  405  in
register_import:commit              POST   ok   ok   ok   403  403  403  403  403  403  in
register_import:undo                GET    ok   ok   ok   403  403  403  403  403  403  in
register_import:undo                POST   ok   ok   ok   403  403  403  403  403  403  in

# --- school rolls and cross-checks (issue 14): the CME team's alone, refused before any
# lookup; an unknown load, run, candidate or kind of check is 404; re-run, refer and reopen are
# require_POST inside the team check
rolls:list                          GET    ok   ok   ok   403  403  403  403  403  403  in
rolls:list                          POST   ok   ok   ok   403  403  403  403  403  403  in
rolls:upload                        GET    ok   ok   ok   403  403  403  403  403  403  in
rolls:upload                        POST   ok   ok   ok   403  403  403  403  403  403  in
rolls:detail                        GET    ok   ok   ok   403  403  403  403  403  403  in
rolls:detail                        POST   ok   ok   ok   403  403  403  403  403  403  in
rolls:detail@unknown                GET    404  404  404  403  403  403  403  403  403  in
rolls:detail@unknown                POST   404  404  404  403  403  403  403  403  403  in
rolls:withdraw                      GET    ok   ok   ok   403  403  403  403  403  403  in
rolls:withdraw                      POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:list                    GET    ok   ok   ok   403  403  403  403  403  403  in
crosschecks:list                    POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:start                   GET    ok   ok   ok   403  403  403  403  403  403  in
crosschecks:start                   POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:start@unknown           GET    404  404  404  403  403  403  403  403  403  in
crosschecks:start@unknown           POST   404  404  404  403  403  403  403  403  403  in
crosschecks:run                     GET    ok   ok   ok   403  403  403  403  403  403  in
crosschecks:run                     POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:run@unknown             GET    404  404  404  403  403  403  403  403  403  in
crosschecks:run@unknown             POST   404  404  404  403  403  403  403  403  403  in
crosschecks:export                  GET    ok   ok   ok   403  403  403  403  403  403  in
crosschecks:export                  POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:rerun                   GET    405  405  405  403  403  403  403  403  403  in
crosschecks:rerun                   POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:candidate               GET    ok   ok   ok   403  403  403  403  403  403  in
crosschecks:candidate               POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:candidate@unknown       GET    404  404  404  403  403  403  403  403  403  in
crosschecks:candidate@unknown       POST   404  404  404  403  403  403  403  403  403  in
crosschecks:refer                   GET    405  405  405  403  403  403  403  403  403  in
crosschecks:refer                   POST   ok   ok   ok   403  403  403  403  403  403  in
crosschecks:reopen                  GET    405  405  405  403  403  403  403  403  403  in
crosschecks:reopen                  POST   ok   ok   ok   403  403  403  403  403  403  in

# --- public: no sign-in --------------------------------------------------------------------
referrals:concern                   GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
referrals:concern                   POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
referrals:concern-received          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
referrals:concern-received          POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
# /healthz: require_safe, open to all.
operations:healthz                  GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
operations:healthz                  POST   405  405  405  405  405  405  405  405  405  405
# The system status page: administrators only (require_safe first).
operations:status                   GET    403  403  ok   403  403  403  403  403  403  in
operations:status                   POST   405  405  405  405  405  405  405  405  405  in

# --- accounts --------------------------------------------------------------------------------
# Sign-in sends the signed-in on; LogoutView is POST only; password and second-factor
# pages; the reset pages are open to all (the done pages are TemplateViews: no POST).
accounts:sign-in                    GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:sign-in                    POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:sign-out                   GET    405  405  405  405  405  405  405  405  405  in
accounts:sign-out                   POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:two-factor-setup           GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:two-factor-setup           POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:two-factor-verify          GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:two-factor-verify          POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:password-change            GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:password-change            POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:password-change-done       GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   in
accounts:password-change-done       POST   405  405  405  405  405  405  405  405  405  in
accounts:password-reset             GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:password-reset             POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:password-reset-sent        GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:password-reset-sent        POST   405  405  405  405  405  405  405  405  405  405
accounts:password-reset-confirm     GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:password-reset-confirm     POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:password-reset-complete    GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:password-reset-complete    POST   405  405  405  405  405  405  405  405  405  405
# The set-up link works for whoever holds it (anyone else signed in is signed out first); a
# wrong token, or the two steps without the link, is a plain 404 for everyone.
accounts:set-up-link                GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:set-up-link                POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:set-up-link@wrong-token    GET    404  404  404  404  404  404  404  404  404  404
accounts:set-up-link@wrong-token    POST   404  404  404  404  404  404  404  404  404  404
accounts:set-up-password            GET    404  404  404  404  404  404  404  404  404  404
accounts:set-up-password            POST   404  404  404  404  404  404  404  404  404  404
accounts:set-up-password@invited    GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:set-up-password@invited    POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:set-up-two-factor          GET    404  404  404  404  404  404  404  404  404  404
accounts:set-up-two-factor          POST   404  404  404  404  404  404  404  404  404  404
accounts:set-up-two-factor@invited  GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
accounts:set-up-two-factor@invited  POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
# User management: administrators only, refused before any lookup; resend and reactivate
# are require_POST first (a GET is 405 for everyone signed in).
organisations:list                  GET    403  403  ok   403  403  403  403  403  403  in
organisations:list                  POST   403  403  ok   403  403  403  403  403  403  in
organisations:add                   GET    403  403  ok   403  403  403  403  403  403  in
organisations:add                   POST   403  403  ok   403  403  403  403  403  403  in
organisations:edit                  GET    403  403  ok   403  403  403  403  403  403  in
organisations:edit                  POST   403  403  ok   403  403  403  403  403  403  in
organisations:edit@unknown          GET    403  403  404  403  403  403  403  403  403  in
organisations:edit@unknown          POST   403  403  404  403  403  403  403  403  403  in
accounts:users                      GET    403  403  ok   403  403  403  403  403  403  in
accounts:users                      POST   403  403  ok   403  403  403  403  403  403  in
accounts:user-invite                GET    403  403  ok   403  403  403  403  403  403  in
accounts:user-invite                POST   403  403  ok   403  403  403  403  403  403  in
accounts:user-detail                GET    403  403  ok   403  403  403  403  403  403  in
accounts:user-detail                POST   403  403  ok   403  403  403  403  403  403  in
accounts:user-detail@unknown        GET    403  403  404  403  403  403  403  403  403  in
accounts:user-detail@unknown        POST   403  403  404  403  403  403  403  403  403  in
accounts:user-resend                GET    405  405  405  405  405  405  405  405  405  in
accounts:user-resend                POST   403  403  ok   403  403  403  403  403  403  in
accounts:user-deactivate            GET    403  403  ok   403  403  403  403  403  403  in
accounts:user-deactivate            POST   403  403  ok   403  403  403  403  403  403  in
accounts:user-reactivate            GET    405  405  405  405  405  405  405  405  405  in
accounts:user-reactivate            POST   403  403  ok   403  403  403  403  403  403  in
# Ours, under admin/: the admin site's sign-in and change-password pages send people to the
# site's own (throttled, two-factor) ones; a signed-in non-administrator is refused.
admin-sign-in                       GET    403  403  ok   403  403  403  403  403  403  in
admin-sign-in                       POST   403  403  ok   403  403  403  403  403  403  in
/admin/password_change/             GET    ok   ok   ok   ok   ok   ok   ok   ok   ok   in
/admin/password_change/             POST   ok   ok   ok   ok   ok   ok   ok   ok   ok   in
# Views this project adds inside Django admin: its staff check sends the signed-in to its
# sign-in (which refuses them, above); sign-in is asked for first.
admin:accounts_user_set_up_link     GET    ain  ain  ok   ain  ain  ain  ain  ain  ain  in
admin:accounts_user_set_up_link     POST   ain  ain  ok   ain  ain  ain  ain  ain  ain  in
"""
# fmt: on

# Each URL keyword of each row, from the world: row key -> kwarg -> World.values key.
CASE = {"public_id": "case"}
RETURN_A = {"public_id": "return_a"}
KWARGS: dict[str, dict[str, str]] = {
    **{
        f"cases:{name}": CASE
        for name in [
            "detail",
            "status",
            "assign",
            "note",
            "risk",
            "category",
            "primary-reason",
            "close",
            "reopen",
            "flag-add",
            "task-add",
            "enquiry-add",
            "enquiry-not-applicable",
            "enquiries-exhausted",
        ]
    },
    **{
        f"accounts:{name}": {"public_id": "newcomer_public_id"}
        for name in ["user-detail", "user-resend", "user-deactivate", "user-reactivate"]
    },
    "accounts:user-detail@unknown": {"public_id": "unknown"},
    "organisations:edit": {"public_id": "agency_org"},
    "organisations:edit@unknown": {"public_id": "unknown"},
    "reports:dashboard-export": {"key": "dashboard_key", "fmt": "dashboard_format"},
    **{
        name: {"fmt": "export_format"}
        for name in [
            "cases:list-export",
            "cases:tasks-export",
            "referrals:mine-export",
            "referrals:incoming-export",
            "ehe:register-export",
        ]
    },
    "privacy:child-audit": {"public_id": "child"},
    "privacy:child-audit-csv": {"public_id": "child"},
    "cases:flag-remove": {**CASE, "code": "flag_code"},
    "cases:task-done": {**CASE, "task_id": "task"},
    "cases:escalation-acknowledge": {**CASE, "escalation_id": "escalation"},
    "cases:escalation-resolve": {**CASE, "escalation_id": "escalation"},
    "cases:closure-approve": {"request_id": "closure"},
    "cases:closure-return": {"request_id": "closure"},
    "referrals:school-pattern": {"urn": "urn"},
    "matching:candidates": {"child": "target_child"},
    "matching:merge": {"source": "source_child", "target": "target_child"},
    "matching:not-the-same": {"source": "source_child", "target": "target_child"},
    "privacy:subject-access": {"public_id": "child"},
    "referrals:submission@school-a": RETURN_A,
    "referrals:submission@school-b": {"public_id": "return_b"},
    "referrals:submission@agency-a": {"public_id": "referral_a"},
    "referrals:submission@other-la": {"public_id": "notification"},
    "cases:detail@unknown": {"public_id": "unknown"},
    "referrals:submission@unknown": {"public_id": "unknown"},
    "referrals:import-preview": {"public_id": "batch_a"},
    "referrals:import-preview@team": {"public_id": "batch_team"},
    "referrals:handover-reply@knowsley": {"public_id": "handover_knowsley"},
    "referrals:import-commit": {"public_id": "batch_a"},
    **{
        f"referrals:{name}": RETURN_A
        for name in ["triage", "apply", "open-case", "link", "no-action", "confirm", "close-case"]
    },
    "referrals:destination-confirm": RETURN_A,
    "referrals:handovers": CASE,
    "referrals:handover": {"public_id": "handover"},
    "exchange:handover-export": {"public_id": "handover"},
    "referrals:ask-more": {"public_id": "notification"},
    "referrals:handover-reply": {"public_id": "handover"},
    "accounts:set-up-link": {"token": "invite_token"},
    "accounts:set-up-link@wrong-token": {"token": "wrong_token"},
    "accounts:password-reset-confirm": {"uidb64": "reset_uid", "token": "reset_token"},
    "admin:accounts_user_set_up_link": {"pk": "newcomer_pk"},
    **{f"ehe:{name}": {"public_id": "ehe_record"} for name in ["record", "review", "end", "alert"]},
    "ehe:record@unknown": {"public_id": "unknown"},
    "attachments:add": CASE,
    "attachments:add@unknown": {"public_id": "unknown"},
    "attachments:download": {"attachment_id": "attachment"},
    "attachments:download@unknown": {"attachment_id": "unknown"},
    "attachments:remove": {"attachment_id": "attachment"},
    **{
        f"register_import:{name}": {"public_id": "migration"}
        for name in ["detail", "columns", "codes", "commit", "undo"]
    },
    "register_import:detail@unknown": {"public_id": "unknown"},
    **{f"rolls:{name}": {"public_id": "roll_load"} for name in ["detail", "withdraw"]},
    "rolls:detail@unknown": {"public_id": "unknown"},
    "crosschecks:start": {"kind": "crosscheck_kind"},
    "crosschecks:start@unknown": {"kind": "unknown_kind"},
    **{f"crosschecks:{name}": {"public_id": "crosscheck_run"} for name in ["run", "rerun"]},
    "crosschecks:run@unknown": {"public_id": "unknown"},
    "crosschecks:export": {"public_id": "crosscheck_run", "fmt": "export_format"},
    **{
        f"crosschecks:{name}": {
            "public_id": "crosscheck_run",
            "candidate_id": "crosscheck_candidate",
        }
        for name in ["candidate", "refer", "reopen"]
    },
    "crosschecks:candidate@unknown": {"public_id": "crosscheck_run", "candidate_id": "unknown"},
    "letters:case": CASE,
    "letters:preview": {**CASE, "slug": "letter_template"},
    "letters:download": {"public_id": "letter", "fmt": "letter_format"},
    "letters:download@unknown": {"public_id": "unknown", "fmt": "letter_format"},
    "letters:template-upload": {"slug": "letter_template"},
    "letters:template-version": {"public_id": "template_version"},
    "letters:blank-form": {"slug": "blank_form", "fmt": "letter_format"},
    "publicinfo:document": {"public_id": "published_document"},
    "publicinfo:document-remove": {"public_id": "published_document"},
    "api:submission": {"public_id": "return_a"},
    "api:case": CASE,
    "api:import": {"public_id": "batch_a"},
    "api:import-commit": {"public_id": "batch_a"},
}


def _follow_the_set_up_link(client: Client, world: World) -> None:
    """Open the set-up link first, as its holder does: the invite is then in the session."""
    url = reverse("accounts:set-up-link", kwargs={"token": world.values["invite_token"]})
    assert client.get(url).status_code == 302


# Done before the request (and before counting what it must not change).
PREPARE: dict[str, Callable[[Client, World], None]] = {
    "accounts:set-up-password@invited": _follow_the_set_up_link,
    "accounts:set-up-two-factor@invited": _follow_the_set_up_link,
}

# Problems the matrix found, not fixed yet: (row, method, persona) -> what is wrong. Each is
# recorded with the answer it should give and expected to fail until it is fixed (strict).
KNOWN_PROBLEMS: dict[tuple[str, str, str], str] = {}


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    row: str  # the route name, or `route@variant`, or a literal path for an unnamed route
    method: str
    persona: str
    expected: str  # a key of CODES

    def __str__(self) -> str:
        return f"{self.row} {self.method} {self.persona} -> {CODES[self.expected]}"


def parse(table: str) -> dict[tuple[str, str], dict[str, str]]:
    """(row, method) -> persona -> expected code. Refuses a malformed table."""
    lines = [line.split("#")[0].split() for line in table.splitlines()]
    lines = [line for line in lines if line]
    header, body = lines[0], lines[1:]
    assert header == ["route", "method", *COLUMNS], f"the table's columns are {header}"
    assert list(COLUMNS.values()) == list(PERSONAS), "COLUMNS and PERSONAS disagree"
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in body:
        row, method, *codes = line
        assert method in METHODS, f"{row}: unknown method {method}"
        assert len(codes) == len(COLUMNS), (
            f"{row} {method}: {len(codes)} answers, not {len(COLUMNS)}"
        )
        assert set(codes) <= set(CODES), f"{row} {method}: unknown code in {codes}"
        assert (row, method) not in rows, f"{row} {method} is in the table twice"
        rows[row, method] = dict(zip(PERSONAS, codes, strict=True))
    return rows


MATRIX = parse(MATRIX_TABLE)
ROWS = sorted({row for row, _ in MATRIX})
CHECKS = [
    Check(row, method, persona, expected)
    for (row, method), answers in MATRIX.items()
    for persona, expected in answers.items()
]
# HEAD follows GET: the same answer. Asked of the first persona with each answer a GET row gives
# (the officer allowed, the school user refused, anonymous sent to sign in...): rendering every
# allowed page again would add half the time and find nothing more.
HEAD_CHECKS = [
    Check(row, "HEAD", persona, code)
    for (row, method), answers in MATRIX.items()
    if method == "GET"
    for code, persona in {code: p for p, code in reversed(answers.items())}.items()
]


def _params(checks: list[Check]) -> list[object]:
    return [
        pytest.param(
            check,
            id=str(check),
            marks=[pytest.mark.xfail(reason=problem, strict=True)]
            if (problem := KNOWN_PROBLEMS.get((check.row, check.method, check.persona)))
            else [],
        )
        for check in checks
    ]


# --- the URL configuration ---------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # namespace:name, or the path of a route without a name
    kwargs: frozenset[str]


def walk(
    resolver: URLResolver,
    namespaces: tuple[str, ...] = (),
    prefix: str = "",
    *,
    ours_only: bool = False,
) -> Iterator[Route]:
    """Every route the URL configuration answers. Inside Django admin, only the views this
    project adds to it (a ModelAdmin's own `get_urls`): the rest is admin's own."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            spaces = (*namespaces, entry.namespace) if entry.namespace else namespaces
            admin_site = ours_only or entry.app_name == "admin"
            yield from walk(entry, spaces, prefix + str(entry.pattern), ours_only=admin_site)
        elif isinstance(entry, URLPattern):
            if ours_only and not entry.callback.__module__.startswith("cmetrack."):
                continue
            kwargs = frozenset(entry.pattern.regex.groupindex)
            if entry.name:
                yield Route(":".join((*namespaces, entry.name)), kwargs)
            else:
                yield Route("/" + prefix + str(entry.pattern), kwargs)


def routes() -> dict[str, Route]:
    return {route.key: route for route in walk(get_resolver())}


def route_of(row: str) -> str:
    """The route a row asks about: `cases:detail@unknown` asks about `cases:detail`."""
    return row.split("@")[0]


def url_for(row: str, world: World) -> str:
    if row.startswith("/"):
        return row
    values = {kwarg: world.values[name] for kwarg, name in KWARGS.get(row, {}).items()}
    return reverse(route_of(row), kwargs=values)


SIGN_IN = "/account/sign-in/"
ADMIN_SIGN_IN = "/admin/login/"


def answer(response: Response) -> str:
    """The code the table would record for this response."""
    status = response.status_code
    if status == 302 and response["Location"].startswith(f"{SIGN_IN}?next="):
        return "in"
    if status == 302 and response["Location"].startswith(f"{ADMIN_SIGN_IN}?next="):
        return "ain"
    if status in {401, 403, 404, 405}:
        return str(status)
    if status >= 500:
        return f"{status} (a server error)"
    return "ok"


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Built once, in a transaction this module rolls back at its end; each check runs in a
    savepoint inside it (`db`, below), rolled back after the check."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def db(world: World) -> Iterator[None]:
    """This module's own `db`: each check in a savepoint of the world's transaction, rolled
    back after it. pytest-django's would wrap every check in a TestCase of its own (about 5 ms
    each, several seconds here); keeping the name keeps these tests ordered with the other
    database tests (before any transactional test can empty the reference tables)."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def client_for(persona: str, world: World) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def ask(check: Check, world: World) -> None:
    cache.clear()  # rate limits (public concern, password reset) count in the cache
    assert world_state(world) == world.start, "an earlier check's writes were not rolled back"
    client = client_for(check.persona, world)
    if (prepare := PREPARE.get(check.row)) is not None:
        prepare(client, world)
    url = url_for(check.row, world)
    refused = check.expected != "ok"
    before = world_state(world) if refused else None
    if check.method == "POST":
        response = client.post(url)  # an empty form
    elif check.method == "HEAD":
        response = client.head(url)
    else:
        response = client.get(url)
    got = answer(response)
    location = f" (to {response['Location']})" if response.has_header("Location") else ""
    assert got == check.expected, (
        f"{check.method} {url} as {check.persona}: {response.status_code}{location}, "
        f"recorded as {CODES[check.expected]}"
    )
    if refused:
        assert world_state(world) == before, f"a refused {check.method} {url} changed something"


# --- the tests ---------------------------------------------------------------------------------


def test_every_route_has_a_row() -> None:
    known = routes()
    covered = {route_of(row) for row in ROWS}
    missing = sorted(set(known) - covered)
    stale = sorted(covered - set(known))
    header = f"{'route':<36}method " + " ".join(f"{name:<4}" for name in COLUMNS)
    unknown = " ".join(f"{'?':<4}" for _ in COLUMNS)
    todo = [f"{key:<36}{method:<7}{unknown}" for key in missing for method in METHODS]
    assert not missing, (
        "A route with no row in MATRIX_TABLE: add a GET and a POST row for each, with the "
        "answer every persona should get (and its URL keywords to KWARGS):\n"
        + "\n".join([header, *todo])
    )
    assert not stale, "Rows for routes that no longer exist: remove them:\n" + "\n".join(stale)


def test_every_row_asks_both_methods_and_every_url_keyword_has_a_value() -> None:
    known = routes()
    for row in ROWS:
        for method in METHODS:
            assert (row, method) in MATRIX, f"{row} has no {method} row"
        route = known.get(route_of(row))
        if route is None:
            continue  # test_every_route_has_a_row says so
        given = set(KWARGS.get(row, {}))
        assert given == set(route.kwargs), (
            f"{row}: its URL takes {sorted(route.kwargs)}, KWARGS gives {sorted(given)}"
        )
    assert not set(KWARGS) - set(ROWS), f"KWARGS for no row: {set(KWARGS) - set(ROWS)}"
    assert not set(PREPARE) - set(ROWS), f"PREPARE for no row: {set(PREPARE) - set(ROWS)}"


@pytest.mark.parametrize("check", _params(CHECKS))
def test_permission(check: Check, world: World, db: None) -> None:
    ask(check, world)


@pytest.mark.parametrize("check", _params(HEAD_CHECKS))
def test_head_answers_as_get(check: Check, world: World, db: None) -> None:
    ask(check, world)


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_refuses_everyone_but_administrators(
    persona: str, world: World, db: None
) -> None:
    """Django admin has its own permission system (is_staff, which only the administrator
    role has): one GET of /admin/ per persona. Everyone else is sent to its sign-in, which
    refuses a signed-in non-administrator (403) and sends anyone else to sign in."""
    client = client_for(persona, world)
    response = client.get("/admin/")
    if persona == "admin_user":
        assert response.status_code == 200
        return
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/")
    onward = client.get(response["Location"])
    if persona == ANONYMOUS:
        assert answer(onward) == "in"
    else:
        assert onward.status_code == 403


@pytest.mark.parametrize("size", [len(CHECKS)], ids=lambda n: f"{n} checks")
def test_the_matrix_covers_every_route(size: int, capsys: pytest.CaptureFixture[str]) -> None:
    """Last: every route has its rows; and how big the matrix is, printed (and in the id)."""
    known = routes()
    assert {route_of(row) for row in ROWS} == set(known)
    summary = (
        f"permission matrix: {len(known)} routes ({len(ROWS)} rows with variants) x "
        f"{len(METHODS)} methods x {len(PERSONAS)} personas = {size} checks, "
        f"+ {len(HEAD_CHECKS)} HEAD + {len(PERSONAS)} admin"
    )
    with capsys.disabled():
        print(f"\n{summary}")
