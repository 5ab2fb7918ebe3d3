"""A token with its account, the account's organisation and that organisation's school, in one
indexed query whose SQL is built once per process.

An app above may ask for a row of its own about the account in the same query
(`register_account_row`): the exchange app reads whether the account is a peer authority's, and
its signing secret, so that check costs no query of its own and can never be stale.

The same query as `ApiToken.objects.select_related("user__organisation__school")
.filter(key_hash=…)`, and the same objects (each value through the converters the ORM applies,
each object made by `Model.from_db`, the relations set as select_related sets them), without
compiling the query again on every call: on the API's every request that compiling and its
bookkeeping cost more than the query itself (docs/benchmarks.md, "API return submissions").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model

from cmetrack.accounts.models import Organisation, User
from cmetrack.schools.models import School

from .models import ApiToken

# Each model, and the foreign key on the one before it that leads to it (None: the first).
_CHAIN: list[tuple[type[Model], str | None]] = [
    (ApiToken, None),
    (User, "user"),
    (Organisation, "organisation"),
    (School, "school"),
]


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    attnames: list[str]
    converters: list[list[Callable[..., Any]]]
    expressions: list[Any]
    pk_index: int


@dataclass(frozen=True)
class _AccountRow:
    name: str
    model: type[Model]
    account_column: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: list[_Part]
    account_rows: tuple[_AccountRow, ...]


_plans: dict[str, _Plan] = {}
_account_rows: dict[str, _AccountRow] = {}

# Where a token's account keeps the registered rows read with it: {name: values or None}.
ACCOUNT_ROWS_ATTRIBUTE = "token_account_rows"


def register_account_row(
    name: str, model: type[Model], *, account_field: str, fields: list[str]
) -> None:
    """Read `fields` of the `model` row whose one-to-one `account_field` is the token's account,
    in the token's own query. The account then carries `token_account_rows[name]`: a tuple of
    those fields' stored values, or None when no row points at it. The row is read afresh
    with every token: nothing about it is cached between calls."""
    field = model._meta.get_field(account_field)
    if not getattr(field, "one_to_one", False):
        # A plain foreign key could match several rows and repeat the token's.
        raise ValueError(f"{model.__name__}.{account_field} must be a one-to-one field")
    row = _AccountRow(
        name=name,
        model=model,
        account_column=str(getattr(field, "column", "")),
        columns=tuple(str(getattr(model._meta.get_field(f), "column", "")) for f in fields),
    )
    if _account_rows.get(name) != row:
        _account_rows[name] = row
        _plans.clear()  # built again, with the row, at the next call


def _plan(alias: str) -> _Plan:
    found = _plans.get(alias)
    if found is not None:
        return found
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns: list[str] = []
    joins: list[str] = []
    parts: list[_Part] = []
    previous = "t0"
    for n, (model, via) in enumerate(_CHAIN):
        table = f"t{n}"
        if via is not None:
            before = _CHAIN[n - 1][0]
            fk_column = str(getattr(before._meta.get_field(via), "column", ""))
            # An account always has its token's row; an organisation and a school may be none.
            kind = "INNER JOIN" if n == 1 else "LEFT OUTER JOIN"
            joins.append(
                f"{kind} {quote(model._meta.db_table)} {table} ON "
                f"{table}.{quote(model._meta.pk.column)} = {previous}.{quote(fk_column)}"
            )
        fields = model._meta.concrete_fields
        expressions = [field.get_col(table) for field in fields]
        columns += [f"{table}.{quote(field.column)}" for field in fields]
        parts.append(
            _Part(
                model=model,
                attnames=[field.attname for field in fields],
                converters=[
                    connection.ops.get_db_converters(e) + e.get_db_converters(connection)
                    for e in expressions
                ],
                expressions=expressions,
                pk_index=[field.attname for field in fields].index(model._meta.pk.attname),
            )
        )
        previous = table
    account_rows = tuple(_account_rows.values())
    for n, extra in enumerate(account_rows):
        table = f"a{n}"
        # The key that says whether the row exists, then the asked-for columns.
        columns += [f"{table}.{quote(extra.model._meta.pk.column)}"]
        columns += [f"{table}.{quote(column)}" for column in extra.columns]
        joins.append(
            f"LEFT OUTER JOIN {quote(extra.model._meta.db_table)} {table} ON "
            f"{table}.{quote(extra.account_column)} = t1.{quote(User._meta.pk.column)}"
        )
    key_hash = quote(ApiToken._meta.get_field("key_hash").column)
    # Only the models' own table and column names are interpolated; the hash is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(ApiToken._meta.db_table)} t0 "  # noqa: S608 # nosec B608
        f"{' '.join(joins)} WHERE t0.{key_hash} = %s"
    )
    plan = _Plan(sql=sql, parts=parts, account_rows=account_rows)
    _plans[alias] = plan
    return plan


def token_with_account(key_hash: str) -> ApiToken | None:
    """The token with this hash, its `user`, `user.organisation` and `user.organisation.school`
    already loaded (None where there is none); None if no token has it."""
    alias = router.db_for_read(ApiToken)
    connection = connections[alias]
    plan = _plan(alias)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    made: list[Any] = []
    start = 0
    for part in plan.parts:
        values = list(row[start : start + len(part.attnames)])
        start += len(part.attnames)
        if values[part.pk_index] is None:
            made.append(None)
            continue
        for i, converters in enumerate(part.converters):
            for converter in converters:
                values[i] = converter(values[i], part.expressions[i], connection)
        made.append(part.model.from_db(alias, part.attnames, values))
    token, user, organisation, school = made
    rows: dict[str, tuple[Any, ...] | None] = {}
    for extra in plan.account_rows:
        values = row[start : start + 1 + len(extra.columns)]
        start += 1 + len(extra.columns)
        rows[extra.name] = None if values[0] is None else tuple(values[1:])
    setattr(user, ACCOUNT_ROWS_ATTRIBUTE, rows)
    if organisation is not None:
        organisation.school = school
    user.organisation = organisation
    token.user = user
    return token
