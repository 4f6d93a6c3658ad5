"""Serve only the front-end files we use from node_modules (installed by `npm ci`).

Exposing whole package folders would copy and compress tens of megabytes (ECharts ships
every build variant with source maps) on every collectstatic.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# static path → path under node_modules
VENDOR_FILES = {
    "vendor/bootstrap/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "vendor/bootstrap/css/bootstrap.min.css.map": "bootstrap/dist/css/bootstrap.min.css.map",
    "vendor/bootstrap/js/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "vendor/bootstrap/js/bootstrap.bundle.min.js.map": (
        "bootstrap/dist/js/bootstrap.bundle.min.js.map"
    ),
    "vendor/bootstrap-icons/bootstrap-icons.min.css": (
        "bootstrap-icons/font/bootstrap-icons.min.css"
    ),
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff": (
        "bootstrap-icons/font/fonts/bootstrap-icons.woff"
    ),
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2": (
        "bootstrap-icons/font/fonts/bootstrap-icons.woff2"
    ),
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    # The API docs (/api/v1/docs) work offline: Swagger UI from npm, not from a CDN.
    "vendor/swagger-ui/swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "vendor/swagger-ui/swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "vendor/swagger-ui/swagger-ui.css.map": "swagger-ui-dist/swagger-ui.css.map",
    "vendor/swagger-ui/favicon-32x32.png": "swagger-ui-dist/favicon-32x32.png",
}


class _Storage(FileSystemStorage):
    """A storage whose paths are the static names, mapped onto node_modules files."""

    def path(self, name):
        return str(settings.NODE_MODULES / VENDOR_FILES[name])


class NodeModulesFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = _Storage(location=str(settings.NODE_MODULES))

    def check(self, **kwargs):
        missing = [n for n, p in VENDOR_FILES.items() if not (settings.NODE_MODULES / p).exists()]
        if missing:
            return [
                Error(
                    f"前端资源缺失：{', '.join(missing)}",
                    hint="请运行 npm ci（make setup 会自动执行）",
                    id="tuoyu.E001",
                )
            ]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path in VENDOR_FILES:
            found = str(settings.NODE_MODULES / VENDOR_FILES[path])
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        for name, rel in VENDOR_FILES.items():
            if (settings.NODE_MODULES / rel).exists():
                yield name, self.storage
