"""The CME team's own referral entry: record a referral, checking first whether the child is
already known.

An exact match (same UPN or former UPN, or same name and date of birth) is reused at once.
Otherwise the likely matches are shown with their explanations, and the officer decides: this
is one of them, or a different child (which is remembered, so the pair is not suggested again).
A pupil on a school's roll today who may be the child (the rolls) is shown once before the
referral is recorded.
"""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.cases.forms import ReferralForm
from cmetrack.cases.services import CaseError, ReferralData, referral_record
from cmetrack.children.models import Child
from cmetrack.children.selectors import child_find_existing, children_visible_to
from cmetrack.matching.other_sources import SourceMatch, source_matches
from cmetrack.matching.records import PersonRecord
from cmetrack.matching.selectors import Candidate, candidates_for
from cmetrack.matching.services import non_match_record


def _uuids(values: list[str]) -> list[uuid.UUID]:
    """The posted record identifiers that are UUIDs at all: anything else is no record (a
    malformed one would make the lookup raise ValidationError, a 500)."""
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except (ValueError, TypeError):
            continue
    return found


# Likely matches at or above this probability must be decided before a new record is made.
REVIEW_THRESHOLD = 0.5
NEW_CHILD = "new"
# Posted once the pupils on a school's roll who may be this child have been shown.
ROLLS_SEEN = "rolls_seen"


def _likely_matches(user: User, referral: ReferralData) -> list[Candidate]:
    c = referral.child
    found = candidates_for(
        user=user,
        forenames=c.forenames,
        surname=c.surname,
        date_of_birth=c.date_of_birth,
        upn=c.upn,
        postcode=c.address.postcode if c.address else "",
        sex=c.sex,
        limit=5,
    )
    return [candidate for candidate in found if candidate.probability >= REVIEW_THRESHOLD]


def _record_of(referral: ReferralData) -> PersonRecord:
    c = referral.child
    return PersonRecord(
        forenames=c.forenames,
        surname=c.surname,
        date_of_birth=c.date_of_birth,
        sex=c.sex,
        upn=c.upn,
        postcode=c.address.postcode if c.address else "",
    )


@la_staff_required
def referral_create(request: HttpRequest) -> HttpResponse:
    form = ReferralForm(request.POST or None)
    candidates: list[Candidate] = []
    elsewhere: list[SourceMatch] = []
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        referral = form.to_referral()
        choice = request.POST.get("child_choice", "")
        chosen: Child | None = None
        if choice and choice != NEW_CHILD:
            chosen = (
                children_visible_to(request.user).filter(public_id__in=_uuids([choice])).first()
            )
            if chosen is None:
                form.add_error(None, "That child's record could not be found: choose again.")
        elif not choice:
            c = referral.child
            exact = child_find_existing(
                upn=c.upn, forenames=c.forenames, surname=c.surname, date_of_birth=c.date_of_birth
            )
            if exact is None:
                candidates = _likely_matches(request.user, referral)
                if candidates and request.POST.getlist("shown"):
                    form.add_error(
                        None, "Choose whether the child is one of the children shown, or new"
                    )
        if not candidates and not form.non_field_errors() and not request.POST.get(ROLLS_SEEN):
            # Before recording: is the child on a school's roll today? Shown once, then the
            # officer records the referral (or not) knowing it.
            elsewhere = source_matches(_record_of(referral))
        if not candidates and not form.non_field_errors() and not elsewhere:
            try:
                result = referral_record(
                    data=referral,
                    by=request.user,
                    existing_child=chosen,
                    force_new_child=choice == NEW_CHILD,
                )
            except CaseError as error:
                form.add_error(None, str(error))
            else:
                if choice == NEW_CHILD:
                    _remember_not_the_same(request, result.case.child)
                if result.child_was_known:
                    messages.info(
                        request,
                        "This child was already known: the new case is linked "
                        "to their existing record.",
                    )
                messages.success(
                    request, f"Referral recorded. Case reference {result.case.reference}"
                )
                return redirect(reverse("cases:detail", args=[result.case.public_id]))
    return render(
        request,
        "referrals/team_referral_form.html",
        {
            "form": form,
            "candidates": candidates,
            "new_child": NEW_CHILD,
            "elsewhere": elsewhere,
            "rolls_seen": ROLLS_SEEN,
            "child_choice": request.POST.get("child_choice", ""),
        },
    )


def _remember_not_the_same(request: HttpRequest, child: Child) -> None:
    """The officer saw these records and said "a different child": never suggest them again."""
    assert isinstance(request.user, User)
    shown = request.POST.getlist("shown")
    for other in children_visible_to(request.user).filter(public_id__in=_uuids(shown[:10])):
        if other.pk != child.pk:
            non_match_record(
                child_a=child,
                child_b=other,
                by=request.user,
                reason="Recorded as a different child when a referral was made.",
            )
