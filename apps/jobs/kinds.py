"""The kinds of job, registered by the apps above this one (docs/jobs.md).

The jobs app sits below the domain apps and never imports them: an app that hands work to a
job registers its kind in its ``AppConfig.ready()``, which runs in the web server and in the
worker alike.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.core.imports import Importer


@dataclass(frozen=True)
class ImportKind:
    """An import of a sheet by a job: the importer of apps/core/imports.py, the right it needs
    (checked when the job is started, and again when it runs), and its page's words."""

    name: str
    label: str
    importer: Importer
    perm: str  # "app_label.add_model"
    changelist: str  # the admin URL name of the list the rows go to


class JobRefused(Exception):
    """Raised by a file kind's ``write`` when its account may no longer have the file (the
    organization left its subtree): the job fails with this message (Chinese), nothing
    written."""


@dataclass(frozen=True)
class FileKind:
    """A job that writes a file for the account that started it (the annual report's Word
    draft): ``write(job)`` runs in the worker, as the job's account looked up again, and gives
    the file's bytes and its download name; ``allowed(user)`` is checked when the job is
    started and again when it runs. Whoever sees the job may download the file, for 24 hours
    (docs/jobs.md, Files)."""

    name: str
    label: Any
    write: Callable[[Any], tuple[bytes, str]]
    allowed: Callable[[Any], bool]
    content_type: str


_kinds: dict[str, ImportKind | FileKind] = {}


def register_import(name: str, *, label, importer: Importer, perm: str, changelist: str) -> None:
    _kinds[name] = ImportKind(name, label, importer, perm, changelist)


def register_file(name: str, *, label, write, allowed, content_type: str) -> None:
    _kinds[name] = FileKind(name, label, write, allowed, content_type)


def kind_of(name: str) -> ImportKind | FileKind | None:
    return _kinds.get(name)
