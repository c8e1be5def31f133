#!/usr/bin/env python
"""Django's command-line utility for the hi project (``hi manage`` does the same)."""
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hi.settings.prod")
    from django.core.management import execute_from_command_line

    from hi.settings.startup import settings_or_exit

    settings_or_exit()  # a bad HI_* value: one line and a non-zero status, not Django's traceback
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
