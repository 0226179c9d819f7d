#!/usr/bin/env python
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings")
    # In a development tree, `make run`/`make test` made a secret under var/: use it when
    # none is set, so manage.py works there as it does under make. Production (wsgi.py,
    # no var/secret_key) still refuses to start without DJANGO_SECRET_KEY.
    dev_secret = Path(__file__).resolve().parent / "var" / "secret_key"
    if not os.environ.get("DJANGO_SECRET_KEY") and dev_secret.exists():
        os.environ["DJANGO_SECRET_KEY"] = dev_secret.read_text().strip()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
