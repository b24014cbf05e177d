"""Random secrets and their stored form: only a SHA-256 digest of a secret is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets


def new_secret(prefix: str = "") -> str:
    """A 256-bit URL-safe random string, optionally with a readable prefix."""
    return prefix + _secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the database stores for a session id or an API token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison that is False when either side is missing."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def sign(key: str, value: str) -> str:
    """HMAC-SHA256 of `value` under `key` (the login form's CSRF token)."""
    return hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
