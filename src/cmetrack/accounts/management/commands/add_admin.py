"""`cmetrack add-admin --username U --email E`: an administrator of the authority's CME team.

No password is typed on the command line (it would sit in the shell's history and the process
list): the command prints a single-use set-up link, once, with which the person chooses their
password and enrols their second factor.

Exit codes: 0 made, 1 refused (no CME team yet, a taken username or email address).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cmetrack.accounts.user_admin import (
    UserAdminError,
    administrator_add,
    administrator_new_link,
)

EXIT_REFUSED = 1


class Command(BaseCommand):
    help = (
        "Make an administrator of the authority's CME team and print a single-use set-up link "
        "for their password and two-factor sign-in. Run cmetrack init-authority first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="what they sign in with")
        parser.add_argument("--email", default="", help="their work email address")
        parser.add_argument("--first-name", default="", help="optional")
        parser.add_argument("--last-name", default="", help="optional")
        parser.add_argument(
            "--new-link",
            action="store_true",
            help="issue a fresh set-up link for this existing administrator (the old one stops "
            "working)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["new_link"] and not options["email"].strip():
            self.stderr.write("Give their email address: --email name@example.gov.uk")
            raise SystemExit(EXIT_REFUSED)
        try:
            if options["new_link"]:
                invitation = administrator_new_link(username=options["username"])
            else:
                invitation = administrator_add(
                    username=options["username"],
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
        except UserAdminError as error:
            self.stderr.write(str(error))
            raise SystemExit(EXIT_REFUSED) from None
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            self.stderr.write("Nothing was created.")
            raise SystemExit(EXIT_REFUSED) from None

        user = invitation.user
        expires = timezone.localtime(invitation.invite.expires_at)
        made = (
            f"A new set-up link for {user.username}; any earlier one no longer works."
            if options["new_link"]
            else f"Made {user.username} an administrator of {user.organisation}."
        )
        self.stdout.write(
            f"{made}\n"
            "\n"
            "Their set-up link (shown only this once; cmetrack keeps only a fingerprint of it):\n"
            "\n"
            f"    {invitation.link}\n"
            "\n"
            f"It works once, until {expires:%d %b %Y %H:%M}. Give it to them by a route only they "
            "can read. With it they choose a password and set up two-factor sign-in with an "
            "authenticator app. A lost link: an administrator sends a new one from Users, or run "
            f"cmetrack add-admin --username {user.username} --new-link"
        )
