"""The termly return to the DfE: aggregate counts for a census date (DOMAIN.md §7).

Every figure is worked out from the cases as they stood on the census date (reports.history,
rules in core.census): status, category, primary reason and year group on that day, so the same
census date gives the same figures whenever it is run. Each child counts once. The code lists
are those of the collection term in force on the census date (reports.models).

The return is a list of sections: the CME half is built here, and the EHE half (counted from the
home-education register's dates by ehe/selectors.py) is added beside it in the same shape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, TypeVar

from django.db.models import QuerySet

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.cases.models import Case, MissingReason
from cmetrack.cases.selectors import cases_visible_to
from cmetrack.core.census import (
    BANDS,
    SEX_LABELS,
    UNKNOWN_LENGTH,
    Band,
    length_band,
    previous_academic_year,
    return_facts,
    year_group_on,
)
from cmetrack.ehe.models import EheRecord
from cmetrack.ehe.selectors import Breakdown as EheBreakdown
from cmetrack.ehe.selectors import EheCensusFigures, ehe_figures_over, ehe_records_visible_to

from .history import case_timelines
from .models import CodeList, CollectionCode, CollectionTerm, ReasonMapping

YEAR_GROUPS = ["Reception", *(f"Year {n}" for n in range(1, 12))]
NO_TERM = "No code lists are loaded for this census date: an administrator must add them."
_K = TypeVar("_K", bound=Hashable)


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    dfe_code: str = ""


@dataclass(frozen=True)
class Breakdown:
    title: str
    rows: tuple[Row, ...]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)


@dataclass(frozen=True)
class Section:
    key: str  # stable, for the CSV: cme_census, cme_previous_year (and ehe_… beside them)
    title: str
    total: int
    breakdowns: tuple[Breakdown, ...]


@dataclass(frozen=True)
class StatutoryReturn:
    census: date
    term_label: str
    term_confirmed: bool
    previous_year_label: str
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


@dataclass(frozen=True)
class CodeLists:
    reasons: tuple[CollectionCode, ...]
    by_reason_code: dict[str, CollectionCode]  # MissingReason.code -> its collection code
    bands: tuple[Band, ...]
    band_codes: dict[str, str]  # band label -> DfE code
    unknown_band: str

    @classmethod
    def for_term(cls, term: CollectionTerm | None) -> CodeLists:
        codes = list(CollectionCode.objects.filter(term=term)) if term else []
        mapped = (
            ReasonMapping.objects.filter(term=term).select_related("missing_reason", "code")
            if term
            else []
        )
        band_codes = [c for c in codes if c.code_list == CodeList.LENGTH_BAND]
        known = [c for c in band_codes if not c.is_unknown]
        unknown = next((c for c in band_codes if c.is_unknown), None)
        # No term loaded: the default bands, so the return still shows its lengths.
        bands = tuple(Band(c.label, c.max_days) for c in known) or BANDS
        return cls(
            reasons=tuple(c for c in codes if c.code_list == CodeList.CME_REASON),
            by_reason_code={m.missing_reason.code: m.code for m in mapped},
            bands=bands,
            band_codes={c.label: c.dfe_code for c in band_codes},
            unknown_band=unknown.label if unknown else UNKNOWN_LENGTH,
        )


def _breakdown(
    title: str,
    counts: Mapping[str, int],
    order: Sequence[str] = (),
    codes: Callable[[str], str] = lambda _: "",
) -> Breakdown:
    keys = list(order) + sorted(k for k in counts if k not in order)
    return Breakdown(title, tuple(Row(key, counts.get(key, 0), codes(key)) for key in keys))


def _relabelled(counts: Counter[_K], label: Callable[[_K], str]) -> Counter[str]:
    """`counts` under each key's label: labels are worked out once a key, not once a child (a
    national year's 160,000 counted children share a few thousand birthdays)."""
    labelled: Counter[str] = Counter()
    for key, n in counts.items():
        labelled[label(key)] += n
    return labelled


def _reason_breakdown(
    title: str, reasons: Counter[str], lists: CodeLists, labels: dict[str, str]
) -> Breakdown:
    def label(reason: str) -> str:
        code = lists.by_reason_code.get(reason)
        return code.label if code else f"Not mapped: {labels.get(reason, reason)}"

    dfe = {c.label: c.dfe_code for c in lists.reasons}
    return _breakdown(
        title,
        _relabelled(reasons, label),
        [c.label for c in lists.reasons],
        lambda k: dfe.get(k, ""),
    )


# A child counted in a section, under one of their cases (_count_once): (referral date, case
# id, sex, date of birth, the reason counted, missing since). A plain tuple, not a named one:
# the garbage collector stops tracking a tuple of plain values but never a named tuple, and
# 160,000 of them held while the cases stream cost it 0.2 s of full passes at a national year.
Counted = tuple[date, int, str, date | None, str, date | None]
_SEX: Final = 2
_BIRTH: Final = 3
_REASON: Final = 4
_SINCE: Final = 5


def _count_once(counted: dict[int, Counted], child_id: int, candidate: Counted) -> None:
    """A child with two cases counted in the same period counts once, under the earlier case
    (by referral date, then case)."""
    held = counted.get(child_id)
    if held is None or candidate[:2] < held[:2]:
        counted[child_id] = candidate


def _sexes(counted: Iterable[Counted]) -> Breakdown:
    sexes = Counter(c[_SEX] for c in counted)
    return _breakdown(
        "Sex",
        _relabelled(sexes, lambda sex: SEX_LABELS.get(sex, "unknown")),
        list(SEX_LABELS.values()),
    )


def _year_groups(title: str, counted: Iterable[Counted], on: date) -> Breakdown:
    births = Counter(c[_BIRTH] for c in counted)
    return _breakdown(title, _relabelled(births, lambda dob: year_group_on(dob, on)), YEAR_GROUPS)


def build_return(cases: QuerySet[Case], census: date) -> StatutoryReturn:
    """The return for `census` over `cases`. Callers scope `cases` to what may be counted."""
    term = CollectionTerm.in_force(census)
    lists = CodeLists.for_term(term)
    labels = dict(MissingReason.objects.values_list("code", "label"))
    start, end = previous_academic_year(census)
    period = (start, end)
    census_children: dict[int, Counted] = {}
    year_children: dict[int, Counted] = {}
    for case in case_timelines(cases, referred_by=census, open_since=start):
        reason, since, year_reason = return_facts(
            case.referral_date,
            case.current,
            case.changes,
            census=census,
            period=period,
            date_of_birth=case.date_of_birth,
            off_roll_on=case.off_roll_on,
            date_last_attended=case.date_last_attended,
        )
        if reason is not None:
            _count_once(
                census_children,
                case.child_id,
                (case.referral_date, case.case_id, case.sex, case.date_of_birth, reason, since),
            )
        if year_reason is not None:
            _count_once(
                year_children,
                case.child_id,
                (case.referral_date, case.case_id, case.sex, case.date_of_birth, year_reason, None),
            )
    on_census, last_year = list(census_children.values()), list(year_children.values())

    def length(since: date | None) -> str:
        band = length_band(since, census, lists.bands)
        return lists.unknown_band if band == UNKNOWN_LENGTH else band

    band_order = [b.label for b in lists.bands] + [lists.unknown_band]
    census_section = Section(
        key="cme_census",
        title=f"Children missing education on {census:%-d %B %Y}",
        total=len(on_census),
        breakdowns=(
            _sexes(on_census),
            _year_groups("National curriculum year group", on_census, census),
            _breakdown(
                "Length of time missing education",
                _relabelled(Counter(c[_SINCE] for c in on_census), length),
                band_order,
                lambda k: lists.band_codes.get(k, ""),
            ),
            _reason_breakdown(
                "Primary reason", Counter(c[_REASON] for c in on_census), lists, labels
            ),
        ),
    )
    label = f"{start.year}/{end.year % 100:02d}"
    previous_section = Section(
        key="cme_previous_year",
        title=f"Children missing education at any time in {label}",
        total=len(last_year),
        breakdowns=(
            _sexes(last_year),
            _year_groups("National curriculum year group in that year", last_year, start),
            _reason_breakdown(
                "Primary reason (the last one recorded while missing education that year)",
                Counter(c[_REASON] for c in last_year),
                lists,
                labels,
            ),
        ),
    )
    return StatutoryReturn(
        census=census,
        term_label=term.label if term else NO_TERM,
        term_confirmed=bool(term and term.confirmed),
        previous_year_label=label,
        sections=(census_section, previous_section),
    )


def _ehe_breakdown(breakdown: EheBreakdown) -> Breakdown:
    return Breakdown(breakdown.title, tuple(Row(label, n) for label, n in breakdown.rows))


def ehe_sections(figures: EheCensusFigures) -> tuple[Section, Section]:
    """The EHE half of the return, in the CME half's shape (ehe/selectors.py counts it)."""
    return (
        Section(
            key="ehe_census",
            title=f"Children in elective home education on {figures.census:%-d %B %Y}",
            total=figures.on_census_total,
            breakdowns=tuple(_ehe_breakdown(b) for b in figures.on_census),
        ),
        Section(
            key="ehe_previous_year",
            title=(
                f"Children in elective home education at any time in {figures.previous_year_label}"
            ),
            total=figures.previous_year_total,
            breakdowns=tuple(_ehe_breakdown(b) for b in figures.previous_year),
        ),
    )


def _with_ehe(report: StatutoryReturn, figures: EheCensusFigures) -> StatutoryReturn:
    return replace(report, sections=(*report.sections, *ehe_sections(figures)))


def statutory_return(*, user: AnyUser, census: date) -> StatutoryReturn | None:
    """The return over the cases and home-education records `user` may see, or None for
    anyone outside the CME team."""
    if not is_la_staff(user):
        return None
    return _with_ehe(
        build_return(cases_visible_to(user), census),
        ehe_figures_over(ehe_records_visible_to(user), census),
    )


def authority_return(census: date) -> StatutoryReturn:
    """The whole authority's return, for `cmetrack statutory-return`: run by whoever operates
    the server, with no signed-in user; aggregate counts only."""
    return _with_ehe(
        build_return(Case.objects.all(), census), ehe_figures_over(EheRecord.objects.all(), census)
    )
