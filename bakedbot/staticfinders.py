"""Serves vendored JavaScript straight from the Python packages that ship it (no CDN, no copies)."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static path -> file inside an installed package
VENDOR_FILES = {
    "vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
}


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages = {
            static_path: _PrefixedStorage(source.parent, prefix=str(Path(static_path).parent))
            for static_path, source in VENDOR_FILES.items()
        }

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        source = VENDOR_FILES.get(path)
        if source is None:
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for static_path, source in VENDOR_FILES.items():
            yield source.name, self.storages[static_path]


class _PrefixedStorage(FileSystemStorage):
    def __init__(self, location, *, prefix):
        super().__init__(location=location)
        self.prefix = prefix
