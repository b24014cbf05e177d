"""The web pages (Jinja2 + htmx), served by the same app as the REST API.

Templates, static files and locale catalogues live in `liucheng/web/`; the page routes are
here, beside the REST routes, so both share one permission check and one error mapping.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the page routes and the HTML error renderer to `app`."""
