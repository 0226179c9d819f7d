"""Front-end files from npm packages, served as our own static files (docs/reports.md, Charts).

These users sit on an intranet with no CDN: a page's scripts come from this server. npm
installs the packages from the committed package-lock.json (`make run`, `make test`); this
finder offers Django's staticfiles the few files the pages use, under ``vendor/``, and
nothing else of the package (ECharts' dist folder alone is 51 MB).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# The URL path under STATIC_URL → the file under node_modules/.
VENDOR_FILES = {
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


def node_modules() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class VendorFinder(BaseFinder):
    def check(self, **kwargs):
        missing = [name for name in VENDOR_FILES.values() if not (node_modules() / name).is_file()]
        if not missing:
            return []
        return [
            Error(
                f"node_modules/{missing[0]} is missing: run `npm ci` (make run and make test do).",
                id="core.E101",
            )
        ]

    def find(self, path, find_all=False, **kwargs):
        name = VENDOR_FILES.get(path)
        if name is None or not (node_modules() / name).is_file():
            return [] if find_all else None
        found = str(node_modules() / name)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for path, name in VENDOR_FILES.items():
            folder, _, file_name = path.rpartition("/")
            source = node_modules() / name
            if source.is_file():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = folder
                yield file_name, storage
