"""`cmetrack render-letter --case REFERENCE --template NAME --out FILE.docx|FILE.pdf`.

Produces the letter exactly as the case page does (the same service: stored on the case, on the
timeline, audited) and writes a copy to FILE, for batch runs and testing. The officer who signs
it is `--as` (an email address or user name), or else the case's assigned officer. A template
the case cannot fill writes nothing and names each missing placeholder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from cmetrack.accounts.access import can_work_cases
from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.letters.models import LetterTemplate
from cmetrack.letters.rendering import LetterProblem
from cmetrack.letters.services import LetterRefused, letter_produce

SUFFIXES = {".docx": "docx", ".pdf": "pdf"}


def _signer(name: str | None, case: Case) -> User:
    if name:
        user = User.objects.filter(Q(email__iexact=name) | Q(username=name), is_active=True).first()
        if user is None:
            raise CommandError(f"--as {name}: no active user with that email or user name")
    elif case.assigned_to is not None:
        user = case.assigned_to
    else:
        raise CommandError(
            f"{case.reference} has no assigned officer: say who signs the letter with --as EMAIL"
        )
    if not can_work_cases(user):
        raise CommandError(f"{user} is not in the CME team, so cannot produce letters")
    return user


class Command(BaseCommand):
    help = "Produce a letter for a case from a template and write it as DOCX or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", required=True, metavar="REFERENCE")
        parser.add_argument("--template", required=True, metavar="NAME")
        parser.add_argument("--out", required=True, metavar="FILE.docx|FILE.pdf")
        parser.add_argument("--as", dest="signer", metavar="EMAIL")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]).expanduser()
        fmt = SUFFIXES.get(out.suffix.lower())
        if fmt is None:
            raise CommandError(f"--out {out}: the file name must end .docx or .pdf")
        if not out.parent.is_dir():
            raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
        case = Case.objects.filter(reference__iexact=options["case"].strip()).first()
        if case is None:
            raise CommandError(f"--case {options['case']}: no case with that reference")
        name = options["template"].strip()
        template = LetterTemplate.objects.filter(Q(slug=name) | Q(title__iexact=name)).first()
        if template is None:
            known = ", ".join(LetterTemplate.objects.values_list("slug", flat=True))
            raise CommandError(f"--template {name}: no such template. Known: {known}")
        signer = _signer(options["signer"], case)
        try:
            letter = letter_produce(case=case, template=template, by=signer)
        except (LetterProblem, LetterRefused) as error:
            raise CommandError(str(error)) from error
        stored = letter.docx_file if fmt == "docx" else letter.pdf_file
        if not stored:
            raise CommandError(
                "The letter was produced and stored as Word only: this machine cannot make "
                "PDFs (LibreOffice is not installed). Write it with --out FILE.docx instead."
            )
        with default_storage.open(stored, "rb") as source:
            out.write_bytes(source.read())
        self.stdout.write(
            f"{template.title} (version {letter.template_version.number}) produced for "
            f"{case.reference}, signed by {signer}. Written to {out}"
        )
