"""`cmetrack exchange-peer add|set-token|list|revoke|generate-key|generate-secret`: the other
authorities' cmetrack installations this one exchanges hand-overs with (docs/exchange.md).

    cmetrack exchange-peer generate-key        # once: CMETRACK_EXCHANGE_KEY
    cmetrack exchange-peer generate-secret     # once per pair of authorities, shared by both
    cmetrack exchange-peer add --la-code 340 --name "Knowsley Council" \\
        --base-url https://cmetrack.knowsley.gov.uk --secret … \\
        --issue-token --by admin@sefton.gov.uk          # prints the token to give them
    cmetrack exchange-peer set-token 340 --token cmt_… --by admin@sefton.gov.uk
    cmetrack exchange-peer list
    cmetrack exchange-peer revoke 340 --by admin@sefton.gov.uk

`--token` is the token the other authority issued to us; `--issue-token` issues the one it
calls us with, printed once. The token and the secret are kept encrypted (CMETRACK_EXCHANGE_KEY).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from cmetrack.accounts.models import User
from cmetrack.api.models import ApiToken, Scope
from cmetrack.api.tokens import LONGEST_DAYS, TokenRefused, api_token_issue, api_token_revoke

from ...crypto import KeyMissing, generate_key
from ...models import OutboxMessage, Peer
from ...services.errors import ExchangeError
from ...services.peers import generate_signing_secret, peer_add, peer_remove, peer_set_token

WAITING = [OutboxMessage.Status.QUEUED, OutboxMessage.Status.FAILED]


def _user(name: str) -> User:
    user = User.objects.filter(Q(email__iexact=name) | Q(username=name)).first()
    if user is None:
        raise CommandError(f"--by {name}: no user with that email or user name")
    return user


class Command(BaseCommand):
    help = "Add, list or revoke another authority's cmetrack (an exchange peer)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate-key", help="Print a new CMETRACK_EXCHANGE_KEY")
        sub.add_parser("generate-secret", help="Print a new signing secret to share with a peer")
        add = sub.add_parser("add", help="Add a peer authority")
        add.add_argument("--la-code", required=True, help="Its three-digit DfE LA number")
        add.add_argument("--name", required=True, help="The authority's name")
        add.add_argument("--base-url", required=True, help="Its cmetrack's address, https://…")
        add.add_argument(
            "--token", default="", help="The API token it issued to us (or later, set-token)"
        )
        add.add_argument("--secret", required=True, help="The signing secret we share")
        add.add_argument(
            "--issue-token",
            action="store_true",
            help="Also issue the token it calls us with (printed once)",
        )
        add.add_argument("--days", type=int, default=LONGEST_DAYS)
        add.add_argument("--by", required=True, help="The administrator adding it")
        set_token = sub.add_parser("set-token", help="Give the token a peer issued to us")
        set_token.add_argument("la_code")
        set_token.add_argument("--token", required=True)
        set_token.add_argument("--by", required=True)
        sub.add_parser("list", help="List the peers (never their tokens or secrets)")
        revoke = sub.add_parser("revoke", help="Stop exchanging with a peer, at once")
        revoke.add_argument("la_code")
        revoke.add_argument("--by", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "generate-key":
                self.stdout.write(generate_key())
            elif action == "generate-secret":
                self.stdout.write(generate_signing_secret())
            elif action == "add":
                self._add(options)
            elif action == "set-token":
                peer = Peer.objects.filter(la_code=options["la_code"].strip()).first()
                if peer is None:
                    raise CommandError(f"No peer for LA {options['la_code']}.")
                peer_set_token(peer=peer, token=options["token"], by=_user(options["by"]))
                self.stdout.write(f"Token for {peer} recorded.")
            elif action == "list":
                for peer in Peer.objects.select_related("account"):
                    state = "active" if peer.active else "revoked"
                    if peer.active and not peer.token_encrypted:
                        state = "no token yet"
                    waiting = peer.outbox.filter(status__in=WAITING).count()
                    self.stdout.write(
                        f"{peer.la_code}  {peer.name}  {peer.base_url}  {state}  "
                        f"account {peer.account.username}  {waiting} waiting to go"
                    )
            else:
                self._revoke(options)
        except (ExchangeError, KeyMissing, TokenRefused) as error:
            raise CommandError(str(error)) from error

    def _add(self, options: dict[str, Any]) -> None:
        by = _user(options["by"])
        peer = peer_add(
            la_code=options["la_code"],
            name=options["name"],
            base_url=options["base_url"],
            token=options["token"],
            signing_secret=options["secret"],
            by=by,
        )
        self.stdout.write(f"Added {peer}: {peer.base_url}; it calls us as {peer.account.username}.")
        if options["issue_token"]:
            token, plain = api_token_issue(
                user=peer.account,
                name=f"cmetrack of {peer.name}",
                scopes=[Scope.SUBMIT],
                days=options["days"],
                by=by,
            )
            self.stdout.write(f"Issued {token}, until {token.expires_at:%Y-%m-%d}.")
            self.stdout.write("The token to give them (shown this once; keep it secret):")
            self.stdout.write(plain)
        else:
            self.stdout.write(
                f"Issue the token it calls us with: cmetrack api-token issue --user "
                f"{peer.account.username} --name '{peer.name} cmetrack' --scope submit --by …"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        by = _user(options["by"])
        peer = Peer.objects.filter(la_code=options["la_code"].strip()).first()
        if peer is None:
            raise CommandError(f"No peer for LA {options['la_code']}.")
        tokens = ApiToken.objects.filter(user_id=peer.account_id, revoked_at__isnull=True)
        for token in tokens:
            api_token_revoke(token=token, by=by)
        peer_remove(peer=peer, by=by)
        self.stdout.write(f"Revoked {peer} and its tokens; what was waiting to go was given up.")
