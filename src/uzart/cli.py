"""The ``uzart`` console script: Django's management commands under one name.

``uzart demo`` runs in demo mode; everything else reads UZART_MODE from the environment.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command: ``uzart demo``, ``uzart serve``, ``uzart migrate``, ..."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["demo"]:
        os.environ.setdefault("UZART_MODE", "demo")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uzart.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["uzart", *args])


if __name__ == "__main__":
    main()
