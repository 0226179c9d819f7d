"""The kinds of job, registered by the apps above this one (docs/jobs.md).

The jobs app sits below the domain apps and never imports them: an app that hands work to a
job registers its kind in its ``AppConfig.ready()``, which runs in the web server and in the
worker alike.
"""

from dataclasses import dataclass

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


_kinds: dict[str, ImportKind] = {}


def register_import(name: str, *, label, importer: Importer, perm: str, changelist: str) -> None:
    _kinds[name] = ImportKind(name, label, importer, perm, changelist)


def kind_of(name: str) -> ImportKind | None:
    return _kinds.get(name)
