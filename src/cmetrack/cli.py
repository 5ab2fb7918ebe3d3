"""The `cmetrack` console command: Django's management commands under one memorable name.

Operators type `cmetrack migrate`, `cmetrack seed-demo`, `cmetrack import-schools FILE.csv`.
Hyphenated names are accepted for our own commands, whose modules use underscores.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "cmetrack"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
