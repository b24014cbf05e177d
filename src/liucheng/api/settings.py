"""Settings of the API and web application: database, secret key, data directory, cookies.

`Settings.from_env()` reads LIUCHENG_DATABASE_URL, LIUCHENG_SECRET_KEY, LIUCHENG_DATA_DIR,
LIUCHENG_SECURE_COOKIES, LIUCHENG_TRUST_PROXY, LIUCHENG_TIMEZONE and LIUCHENG_MASKED_FIELDS
(comma-separated).
Without a secret key one is generated once and kept in `<data dir>/secret_key`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from liucheng.org.masking import DEFAULT_MASKED, masked_here
from liucheng.org.sessions import Lifetime
from liucheng.org.throttle import Limits
from liucheng.storage.database import database_url


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///liucheng.db"
    data_dir: Path = Path("liucheng-data")
    secret_key: str | None = None
    secure_cookies: bool = False  # set when served over HTTPS: cookies get `Secure`
    trust_proxy: bool = False  # take the client address from X-Forwarded-For
    masked_fields: tuple[str, ...] = DEFAULT_MASKED
    sessions: Lifetime = field(default_factory=Lifetime)
    throttle: Limits = field(default_factory=Limits)
    default_locale: str = "zh-CN"  # the pages' language when the browser states none
    timezone: str = "Asia/Shanghai"  # times on the pages are shown in this zone

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        base = cls(database_url=database_url(None),
                   data_dir=Path(env.get("LIUCHENG_DATA_DIR", "liucheng-data")),
                   secret_key=env.get("LIUCHENG_SECRET_KEY") or None,
                   secure_cookies=_flag(env.get("LIUCHENG_SECURE_COOKIES")),
                   trust_proxy=_flag(env.get("LIUCHENG_TRUST_PROXY")),
                   timezone=env.get("LIUCHENG_TIMEZONE", "Asia/Shanghai"),
                   masked_fields=masked_here())
        return replace(base, **overrides)  # type: ignore[arg-type]

    def resolved_secret(self) -> str:
        """The secret key; generated and stored (mode 0600) in the data dir when unset."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(key)
        return key
