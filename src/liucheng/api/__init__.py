"""The REST API (FastAPI): `create_app(settings)` builds it; nothing is made at import time."""

from liucheng.api.app import create_app
from liucheng.api.settings import Settings

__all__ = ["Settings", "create_app"]
