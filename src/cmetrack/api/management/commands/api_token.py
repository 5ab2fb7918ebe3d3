"""`cmetrack api-token issue|list|revoke`: the administrator's API tokens.

    cmetrack api-token issue --user sims@litherland.sch.uk --name "Litherland SIMS" \\
        --scope submit --scope read --days 180 --by admin@sefton.gov.uk
    cmetrack api-token list
    cmetrack api-token revoke cmt_AbCdEfGh --by admin@sefton.gov.uk

The token is printed once, by `issue`, and never again: only its hash is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from cmetrack.accounts.models import User
from cmetrack.api.models import ApiToken, Scope
from cmetrack.api.tokens import TokenRefused, api_token_issue, api_token_revoke


def _user(name: str, option: str) -> User:
    user = User.objects.filter(Q(email__iexact=name) | Q(username=name)).first()
    if user is None:
        raise CommandError(f"{option} {name}: no user with that email or user name")
    return user


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token that acts as a user")
        issue.add_argument("--user", required=True, help="The account the token acts as")
        issue.add_argument("--name", required=True, help="What will use it")
        issue.add_argument("--scope", action="append", choices=Scope.values, required=True)
        issue.add_argument("--days", type=int, default=90)
        issue.add_argument("--by", required=True, help="The administrator issuing it")
        sub.add_parser("list", help="List tokens (never the tokens themselves)")
        revoke = sub.add_parser("revoke", help="Revoke a token at once")
        revoke.add_argument("prefix", help="The token's first characters, as `list` shows")
        revoke.add_argument("--by", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "issue":
                token, plain = api_token_issue(
                    user=_user(options["user"], "--user"),
                    name=options["name"],
                    scopes=options["scope"],
                    days=options["days"],
                    by=_user(options["by"], "--by"),
                )
                self.stdout.write(
                    f"Issued {token} for {token.user}, until {token.expires_at:%Y-%m-%d}."
                )
                self.stdout.write("The token (shown this once; keep it secret):")
                self.stdout.write(plain)
            elif action == "list":
                for token in ApiToken.objects.select_related("user"):
                    state = "revoked" if token.revoked_at else f"until {token.expires_at:%Y-%m-%d}"
                    used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                    self.stdout.write(
                        f"{token.prefix}  {token.name}  as {token.user}  "
                        f"[{', '.join(token.scopes)}]  {state}  last used {used}"
                    )
            else:
                prefix = options["prefix"].strip()
                matches = list(ApiToken.objects.filter(prefix__startswith=prefix[:12]))
                if len(prefix) < 8 or len(matches) != 1:
                    raise CommandError(
                        f"{prefix}: give the prefix of exactly one token (list shows them)"
                    )
                token = api_token_revoke(token=matches[0], by=_user(options["by"], "--by"))
                self.stdout.write(f"Revoked {token}.")
        except TokenRefused as error:
            raise CommandError(str(error)) from error
