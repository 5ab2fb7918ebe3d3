"""EXPLAIN ANALYZE every query the dashboard, case list, tasks page and incoming queue run.

    .venv/bin/python benchmarks/load/explain_queries.py \\
        --database-url postgres://postgres@127.0.0.1:5432/cmetrack_bench_load_50k [--plans]

Against a database seed.py filled (50,000 cases for the issue's figure). Each page's selectors
are run the way its view runs them (the case list through CaseFilter and the Paginator, 25 a
page), as a CME officer who holds cases; every SELECT they send is captured and run again under
EXPLAIN (ANALYZE, BUFFERS). For each it prints the execution time, the indexes the plan used and
any sequential scan, then `--plans` prints the plans in full. Reads only, except that the
planner's statistics are refreshed first (ANALYZE).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any

import benchdb

INDEX_USE = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)")
SEQ_SCAN = re.compile(r"Seq Scan on (\S+)")
EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")
# Sequential scans of these small reference tables are the right plan at any size.
SMALL = {
    "cases_missingreason",
    "cases_enquirychecktype",
    "children_vulnerabilityflagtype",
    "schools_school",
    "accounts_user",
    "accounts_organisation",
    "schooldays_termdate",
}


def pages(officer: Any, school_user: Any) -> dict[str, Callable[[], object]]:
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from cmetrack.cases.filters import SELECT_FILTERS, CaseFilter
    from cmetrack.cases.selectors import (
        case_list,
        dashboard_figures,
        open_escalation_totals,
        open_escalations,
        pending_closure_count,
    )
    from cmetrack.cases.task_selectors import task_counts, tasks_in_window
    from cmetrack.cases.views.pages import DASHBOARD_ESCALATIONS, PAGE_SIZE
    from cmetrack.referrals.selectors import incoming_waiting, my_submissions, queue_items

    def dashboard() -> object:
        figures = dashboard_figures(user=officer)
        return (
            list(figures.my_open_cases),
            list(figures.newest_referrals),
            list(open_escalations(user=officer)[:DASHBOARD_ESCALATIONS]),
            open_escalation_totals(user=officer),
            pending_closure_count(user=officer),
            task_counts(user=officer, mine=True),
            task_counts(user=officer, mine=False),
        )

    def cases(query: str, page: int = 1) -> Callable[[], object]:
        def run() -> object:
            params = QueryDict(query)
            case_filter = CaseFilter(params or None, queryset=case_list(user=officer))
            found = case_filter.qs
            shown = Paginator(found, PAGE_SIZE).get_page(page)
            # The filter form's options, as the page lists them (ModelChoiceIterator reads
            # them with QuerySet.iterator(), a server-side cursor that is not captured here).
            form = case_filter.form
            options = [list(form.fields[name].choices) for name in SELECT_FILTERS]
            return list(shown.object_list), shown.paginator.count, options

        return run

    def tasks(window: str, mine: bool) -> Callable[[], object]:
        def run() -> object:
            found = tasks_in_window(user=officer, window=window, mine=mine)
            shown = Paginator(found, PAGE_SIZE).get_page(1)
            return (
                list(shown.object_list),
                shown.paginator.count,
                task_counts(user=officer, mine=mine),
            )

        return run

    def incoming() -> object:
        page = Paginator(incoming_waiting(user=officer), PAGE_SIZE).get_page(1)
        return queue_items(page.object_list), page.paginator.count

    def submissions() -> object:
        page = Paginator(my_submissions(user=school_user), 25).get_page(1)
        return list(page.object_list), page.paginator.count

    return {
        "dashboard": dashboard,
        "case list": cases(""),
        "case list, page 20": cases("", 20),
        "case list, open only": cases("open_only=true"),
        "case list, one status": cases("status=enquiries"),
        f"case list, officer {officer.pk}": cases(f"assigned_to={officer.pk}&open_only=true"),
        "case list, search by surname": cases("q=Smith"),
        "case list, search by two names": cases("q=Smi+Jack"),
        "tasks: overdue, mine": tasks("overdue", True),
        "tasks: overdue, team": tasks("overdue", False),
        "tasks: this week, team": tasks("week", False),
        "incoming queue": incoming,
        "school: my submissions": submissions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/cmetrack_bench_load_50k"
    )
    parser.add_argument("--plans", action="store_true", help="print every plan in full")
    args = parser.parse_args()
    benchdb.setup_django(benchdb.check_bench_url(args.database_url))
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from cmetrack.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The officer holding the most cases: the "mine" queries at their largest.
    officer = (
        User.objects.filter(role=User.Role.CME_OFFICER)
        .annotate(n=Count("assigned_cases"))
        .order_by("-n")
        .first()
    )
    school_user = User.objects.filter(role=User.Role.SCHOOL_USER).order_by("username").first()
    assert officer is not None and school_user is not None, "seed the database first"
    summary = []
    for page, run in pages(officer, school_user).items():
        with CaptureQueriesContext(connection) as captured:
            run()
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        print(f"\n=== {page}: {len(selects)} queries")
        for sql in selects:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            took = float(m.group(1)) if (m := EXECUTION.search(plan)) else 0.0
            indexes = sorted(set(INDEX_USE.findall(plan)))
            seqs = sorted(set(SEQ_SCAN.findall(plan)) - SMALL)
            verdict = "index scan" if indexes else "no index"
            if seqs:
                verdict += f"; seq scan on {', '.join(seqs)}"
            print(f"  {took:8.2f} ms  {verdict}  {', '.join(indexes)}")
            print(f"             {sql[:160]}{'…' if len(sql) > 160 else ''}")
            if args.plans:
                print("    " + plan.replace("\n", "\n    "))
            summary.append((page, took, verdict, indexes, seqs))
    print("\n| page | queries | slowest ms | total ms | large tables read without an index |")
    print("|---|---:|---:|---:|---|")
    for page in dict.fromkeys(p for p, *_ in summary):
        rows = [s for s in summary if s[0] == page]
        seqs = sorted({t for r in rows for t in r[4]})
        print(
            f"| {page} | {len(rows)} | {max(r[1] for r in rows):.2f} | "
            f"{sum(r[1] for r in rows):.2f} | {', '.join(seqs) or 'none'} |"
        )


if __name__ == "__main__":
    main()
