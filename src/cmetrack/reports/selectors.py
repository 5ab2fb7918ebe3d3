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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import QuerySet

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.cases.models import Case, MissingReason
from cmetrack.cases.selectors import cases_visible_to
from cmetrack.core.census import (
    BANDS,
    SEX_LABELS,
    UNKNOWN_LENGTH,
    Band,
    CaseState,
    counted_during,
    counted_on,
    length_band,
    missing_since,
    previous_academic_year,
    year_group_on,
)
from cmetrack.ehe.models import EheRecord
from cmetrack.ehe.selectors import Breakdown as EheBreakdown
from cmetrack.ehe.selectors import EheCensusFigures, ehe_figures_over, ehe_records_visible_to

from .history import CaseHistory, case_histories
from .models import CodeList, CollectionCode, CollectionTerm, ReasonMapping

YEAR_GROUPS = ["Reception", *(f"Year {n}" for n in range(1, 12))]
NO_TERM = "No code lists are loaded for this census date: an administrator must add them."


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
    values: Iterable[str],
    order: Sequence[str] = (),
    codes: Callable[[str], str] = lambda _: "",
) -> Breakdown:
    counts = Counter(values)
    keys = list(order) + sorted(k for k in counts if k not in order)
    return Breakdown(title, tuple(Row(key, counts.get(key, 0), codes(key)) for key in keys))


def _one_per_child(
    found: Iterable[tuple[CaseHistory, CaseState]],
) -> list[tuple[CaseHistory, CaseState]]:
    """A child with two cases counted in the same period counts once, under the earlier case."""
    chosen: dict[int, tuple[CaseHistory, CaseState]] = {}
    for item in found:
        held = chosen.get(item[0].child_id)
        if held is None or (item[0].referral_date, item[0].case_id) < (
            held[0].referral_date,
            held[0].case_id,
        ):
            chosen[item[0].child_id] = item
    return list(chosen.values())


def _reason_breakdown(
    title: str, states: Iterable[CaseState], lists: CodeLists, labels: dict[str, str]
) -> Breakdown:
    values = []
    for state in states:
        code = lists.by_reason_code.get(state.reason)
        values.append(
            code.label if code else f"Not mapped: {labels.get(state.reason, state.reason)}"
        )
    dfe = {c.label: c.dfe_code for c in lists.reasons}
    return _breakdown(title, values, [c.label for c in lists.reasons], lambda k: dfe.get(k, ""))


def _sexes(found: Sequence[tuple[CaseHistory, CaseState]]) -> Breakdown:
    return _breakdown(
        "Sex", [SEX_LABELS.get(h.sex, "unknown") for h, _ in found], list(SEX_LABELS.values())
    )


def build_return(cases: QuerySet[Case], census: date) -> StatutoryReturn:
    """The return for `census` over `cases`. Callers scope `cases` to what may be counted."""
    term = CollectionTerm.in_force(census)
    lists = CodeLists.for_term(term)
    labels = dict(MissingReason.objects.values_list("code", "label"))
    start, end = previous_academic_year(census)
    on_census: list[tuple[CaseHistory, CaseState]] = []
    last_year: list[tuple[CaseHistory, CaseState]] = []
    for case in case_histories(cases, referred_by=census, open_since=start):
        state = counted_on(
            case.steps, census, date_of_birth=case.date_of_birth, off_roll_on=case.off_roll_on
        )
        if state is not None:
            on_census.append((case, state))
        before = counted_during(
            case.steps, start, end, date_of_birth=case.date_of_birth, off_roll_on=case.off_roll_on
        )
        if before is not None:
            last_year.append((case, before))
    on_census, last_year = _one_per_child(on_census), _one_per_child(last_year)

    lengths = []
    for h, _ in on_census:
        since = missing_since(
            h.steps, census, referral_date=h.referral_date, date_last_attended=h.date_last_attended
        )
        band = length_band(since, census, lists.bands)
        lengths.append(lists.unknown_band if band == UNKNOWN_LENGTH else band)
    band_order = [b.label for b in lists.bands] + [lists.unknown_band]
    census_section = Section(
        key="cme_census",
        title=f"Children missing education on {census:%-d %B %Y}",
        total=len(on_census),
        breakdowns=(
            _sexes(on_census),
            _breakdown(
                "National curriculum year group",
                [year_group_on(h.date_of_birth, census) for h, _ in on_census],
                YEAR_GROUPS,
            ),
            _breakdown(
                "Length of time missing education",
                lengths,
                band_order,
                lambda k: lists.band_codes.get(k, ""),
            ),
            _reason_breakdown("Primary reason", (s for _, s in on_census), lists, labels),
        ),
    )
    label = f"{start.year}/{end.year % 100:02d}"
    previous_section = Section(
        key="cme_previous_year",
        title=f"Children missing education at any time in {label}",
        total=len(last_year),
        breakdowns=(
            _sexes(last_year),
            _breakdown(
                "National curriculum year group in that year",
                [year_group_on(h.date_of_birth, start) for h, _ in last_year],
                YEAR_GROUPS,
            ),
            _reason_breakdown(
                "Primary reason (the last one recorded while missing education that year)",
                (s for _, s in last_year),
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
