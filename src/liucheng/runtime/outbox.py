"""The outbox: notifications that leave the system (e-mail, webhooks), sent after commit.

`enqueue` runs inside the command's transaction and only writes `outbox` rows beside the
in-app `notifications` rows, so a message exists exactly when the action does and a rolled
back command sends nothing. `deliver` runs later, outside every command: it claims one due
row at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite `BEGIN IMMEDIATE`
serialises the claimers), sends it with a timeout, then marks it sent or schedules a retry
with exponential back-off. After `max_attempts` the row stays unsent with its last error
for an administrator (`failed`, `requeue`).

Delivery is at least once: a deliverer that dies after sending but before marking leaves
its row to be sent again when the claim's lease ends. Every message carries a stable id
(the outbox row id, also the e-mail's Message-ID) so receivers can drop repeats.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import ssl
import time
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from liucheng.errors import ConfigurationError
from liucheng.rules import jsontext
from liucheng.runtime.notify import TEXTS
from liucheng.storage.repository import Repository
from liucheng.storage.tables import instances, outbox, tasks, users

Row = dict[str, Any]
KINDS = tuple(TEXTS)  # every kind of in-app notification: assigned, urge, cc, …
WEBHOOK_KINDS = ("json", "wecom", "dingtalk")
FORMATS = ("markdown", "text")
# Header names of the signed JSON webhook.
ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = (
    "X-Liucheng-Id", "X-Liucheng-Timestamp", "X-Liucheng-Signature")
ZH = {"case": "案件", "step": "步骤", "at": "时间", "to": "接收人", "url": "办理"}
EN = {"case": "Case", "step": "Step", "at": "Time", "to": "To", "url": "Open"}


def _kinds(values: Iterable[str], where: str) -> tuple[str, ...]:
    kinds = tuple(values)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ConfigurationError(f"{where}: unknown notification kind {unknown[0]!r}",
                                 hint="use " + ", ".join(KINDS))
    return kinds


@dataclass(frozen=True)
class Webhook:
    """One receiver. Queued rows name it, so its URL or secret can change (a rotated robot
    key) without touching them. `kind`: `json` (signed), `wecom` or `dingtalk` robots."""

    name: str
    url: str = field(repr=False)  # robot URLs carry their access key
    kind: str = "json"
    secret: str | None = field(default=None, repr=False)
    kinds: tuple[str, ...] = KINDS
    format: str = "markdown"  # wecom / dingtalk message type: markdown or text

    def __post_init__(self) -> None:
        where = f"webhook '{self.name}'"
        if self.kind not in WEBHOOK_KINDS:
            raise ConfigurationError(f"{where}: unknown kind {self.kind!r}",
                                     hint="use " + ", ".join(WEBHOOK_KINDS))
        if self.format not in FORMATS:
            raise ConfigurationError(f"{where}: unknown format {self.format!r}",
                                     hint="use markdown or text")
        if self.kind == "json" and not self.secret:
            raise ConfigurationError(f"{where}: a json webhook needs a secret to sign with",
                                     hint="share a random secret with the receiver")
        if not self.url.startswith(("http://", "https://")):
            raise ConfigurationError(f"{where}: the URL must start with http:// or https://")
        object.__setattr__(self, "kinds", _kinds(self.kinds, where))


@dataclass(frozen=True)
class NotifySettings:
    """Where notifications go. E-mail is on when `smtp_host` is set."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "liucheng@localhost"
    smtp_starttls: bool = False
    smtp_ssl: bool = False  # implicit TLS (port 465)
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    email_kinds: tuple[str, ...] = KINDS
    webhooks: tuple[Webhook, ...] = ()
    base_url: str | None = None  # links to /tasks/<id> when set
    timezone: str = "Asia/Shanghai"
    timeout_seconds: float = 10.0
    max_attempts: int = 8
    retry_seconds: float = 30.0
    max_retry_seconds: float = 6 * 3600.0
    lease_seconds: float = 300.0  # a claimed row is due again after this, if never marked

    def __post_init__(self) -> None:
        object.__setattr__(self, "webhooks", tuple(self.webhooks))
        object.__setattr__(self, "email_kinds", _kinds(self.email_kinds, "email_kinds"))
        names = [w.name for w in self.webhooks]
        if len(set(names)) != len(names):
            raise ConfigurationError("two webhooks have the same name",
                                     hint="give each webhook its own name")
        if self.max_attempts < 1 or self.lease_seconds <= self.timeout_seconds:
            raise ConfigurationError("max_attempts must be at least 1 and lease_seconds "
                                     "longer than timeout_seconds")
        ZoneInfo(self.timezone)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NotifySettings:
        """From a configuration file: `{smtp: {host, port, …}, webhooks: [{name, url, …}]}`."""
        values: dict[str, Any] = {k: v for k, v in data.items() if k not in ("smtp", "webhooks")}
        values.update({f"smtp_{k}": v for k, v in (data.get("smtp") or {}).items()})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigurationError(f"unknown notification setting '{unknown[0]}'",
                                     hint="see docs/notifications.md")
        try:
            hooks = tuple(Webhook(**w) for w in data.get("webhooks") or [])
        except TypeError as exc:
            raise ConfigurationError(f"webhook settings: {exc}",
                                     hint="a webhook has name, url, kind, secret, kinds, format"
                                     ) from None
        return cls(**values, webhooks=hooks)

    def webhook(self, name: str) -> Webhook | None:
        return next((w for w in self.webhooks if w.name == name), None)

    def retry_delay(self, attempts: int) -> timedelta:
        """Back-off after the `attempts`-th failed try: 1×, 2×, 4×, … `retry_seconds`."""
        return timedelta(seconds=min(self.retry_seconds * 2 ** max(attempts - 1, 0),
                                     self.max_retry_seconds))


# -- enqueue (inside the command's transaction) -------------------------------------------
def _stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def enqueue(repo: Repository, rows: Sequence[Row], settings: NotifySettings | None) -> int:
    """Write outbox rows for the in-app notification `rows` of one command; returns how many.

    One e-mail per notified person with an address; one webhook message per notification
    (an urge to a pool of five is one group message, not five). Ids derive from the
    notification ids, so the same notification is never queued twice.
    """
    if settings is None or not rows or not (settings.smtp_host or settings.webhooks):
        return 0
    people: dict[str, Row] = {r["id"]: dict(r) for r in repo.conn.execute(
        sa.select(users.c.id, users.c.name, users.c.email, users.c.active)
        .where(users.c.id.in_({r["user_id"] for r in rows}))).mappings()}
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault((row["kind"], row["instance_id"], row["task_id"], row["text"]),
                          []).append(row)
    queued: list[Row] = []
    for group in groups.values():
        first = group[0]
        message = _message(repo, first, [r["user_id"] for r in group], people, settings)
        if settings.smtp_host and first["kind"] in settings.email_kinds:
            for row in group:
                person = people.get(row["user_id"])
                if person and person["email"] and person["active"]:
                    queued.append(_queued(row, "email", person["email"],
                                          _email(message, person)))
        for hook in settings.webhooks:
            if first["kind"] in hook.kinds:
                queued.append(_queued(first, "webhook", hook.name,
                                      {**message, "webhook": hook.name}))
    if queued:
        repo.conn.execute(outbox.insert(), queued)
    return len(queued)


def _queued(notification: Row, channel: str, recipient: str, payload: Row) -> Row:
    row_id = _stable_id(notification["id"], channel, recipient)
    return {"id": row_id, "instance_id": notification["instance_id"], "channel": channel,
            "recipient": recipient, "payload": {**payload, "id": row_id},
            "created_at": notification["created_at"],
            "next_attempt_at": notification["created_at"], "attempts": 0}


def _message(repo: Repository, row: Row, user_ids: list[str], people: Mapping[str, Row],
             settings: NotifySettings) -> Row:
    """What every channel renders: plain JSON, frozen at the moment of the action."""
    case = repo.conn.execute(sa.select(instances.c.title, instances.c.definition_key)
                             .where(instances.c.id == row["instance_id"])).first()
    step = None
    if row["task_id"]:
        step = repo.conn.execute(sa.select(tasks.c.name)
                                 .where(tasks.c.id == row["task_id"])).scalar()
    at: datetime = row["created_at"]
    url = (f"{settings.base_url.rstrip('/')}/tasks/{row['task_id']}"
           if settings.base_url and row["task_id"] else None)
    return {"kind": row["kind"], "text": row["text"], "case": row["instance_id"],
            "case_title": case[0] if case else None, "process": case[1] if case else None,
            "task": row["task_id"], "step": step, "users": user_ids,
            "user_names": [people[u]["name"] if u in people else u for u in user_ids],
            "at": at.astimezone(ZoneInfo(settings.timezone)).isoformat(timespec="seconds"),
            "url": url}


def _details(message: Row, zh: bool, *, url: bool = True) -> list[str]:
    labels, sep, joiner = (ZH, "：", "、") if zh else (EN, ": ", ", ")
    values = {"case": message["case_title"] or message["case"], "step": message["step"],
              "at": message["at"][:16].replace("T", " "),
              "to": joiner.join(message["user_names"]), "url": message["url"] if url else None}
    return [f"{labels[k]}{sep}{v}" for k, v in values.items() if v]


def _email(message: Row, person: Row) -> Row:
    name = person["name"] or person["id"]
    body = "\n".join([f"{name}，您好：", "", message["text"], "", *_details(message, True),
                      "", f"Hello {name},", "", *_details(message, False), "",
                      "—— 流程 liucheng（系统自动发送，请勿回复 / sent automatically, "
                      "please do not reply）", ""])
    subject = " ".join(f"【流程】{message['text']}".split())[:200]
    return {"to": person["email"], "user": person["id"], "subject": subject, "body": body,
            "kind": message["kind"], "case": message["case"], "task": message["task"]}


# -- rendering webhooks ---------------------------------------------------------------------
def sign_json(secret: str, timestamp: str, body: bytes) -> str:
    """The JSON webhook's signature: `sha256=` + hex HMAC-SHA256 of `timestamp + "." + body`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk's robot signature: base64 HMAC-SHA256 of "timestamp\\nsecret", URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _clip(text: str, max_bytes: int) -> str:
    data = text.encode()
    return text if len(data) <= max_bytes else data[:max_bytes].decode(errors="ignore")


def _markdown(message: Row) -> str:
    lines = ["**流程通知 · liucheng**", "", message["text"], ""]
    lines += ["> " + line for line in _details(message, True, url=False)]
    lines += [""] + ["> " + line for line in _details(message, False, url=False)]
    if message["url"]:
        lines += ["", f"[办理 / Open]({message['url']})"]
    return "\n".join(lines)


def _plain(message: Row) -> str:
    return "\n".join(["【流程】" + message["text"], *_details(message, True),
                      *_details(message, False)])


def render_webhook(hook: Webhook, message: Row, now: datetime) -> tuple[str, dict[str, str],
                                                                         bytes]:
    """The URL, headers and body to POST for `message` at time `now` (signatures use it)."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    url = hook.url
    if hook.kind == "json":
        payload: Row = {k: v for k, v in message.items() if k != "webhook"}
    elif hook.kind == "wecom":
        payload = ({"msgtype": "markdown", "markdown": {"content": _clip(_markdown(message),
                                                                          4096)}}
                   if hook.format == "markdown" else
                   {"msgtype": "text", "text": {"content": _clip(_plain(message), 2048)}})
    else:
        payload = ({"msgtype": "markdown",
                    "markdown": {"title": _clip("【流程】" + message["text"], 120),
                                 "text": _clip(_markdown(message), 5000)}}
                   if hook.format == "markdown" else
                   {"msgtype": "text", "text": {"content": _clip(_plain(message), 5000)}})
        payload["at"] = {"atMobiles": [], "atUserIds": [], "isAtAll": False}
        if hook.secret:
            stamp = str(int(now.timestamp() * 1000))
            url += ("&" if "?" in url else "?") + (
                f"timestamp={stamp}&sign={dingtalk_sign(hook.secret, stamp)}")
    body = jsontext.dumps(payload, sort_keys=True).encode()  # amounts with every digit
    if hook.kind == "json":
        stamp = str(int(now.timestamp()))
        headers.update({ID_HEADER: message["id"], TIMESTAMP_HEADER: stamp,
                        SIGNATURE_HEADER: sign_json(hook.secret or "", stamp, body)})
    return url, headers, body


# -- delivery (after commit, outside every command) -----------------------------------------
class DeliveryError(Exception):
    """A receiver answered, but not with success."""


class _Senders:
    """The connections of one delivery run: one SMTP session and one HTTP client, reused."""

    def __init__(self, settings: NotifySettings,
                 transport: httpx.BaseTransport | None) -> None:
        self.settings = settings
        self.transport = transport
        self._smtp: smtplib.SMTP | None = None
        self._http: httpx.Client | None = None

    def __enter__(self) -> _Senders:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._drop_smtp(quit=True)
        if self._http is not None:
            self._http.close()

    def _drop_smtp(self, *, quit: bool = False) -> None:
        if self._smtp is not None:
            try:
                if quit:
                    self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp.close()
            self._smtp = None

    def _smtp_session(self) -> smtplib.SMTP:
        s = self.settings
        if self._smtp is None:
            if not s.smtp_host:
                raise ConfigurationError("no SMTP server is configured",
                                         hint="set smtp host in the notification settings")
            context = ssl.create_default_context()
            conn = (smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.timeout_seconds,
                                     context=context) if s.smtp_ssl
                    else smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout_seconds))
            try:
                conn.ehlo()
                if s.smtp_starttls:
                    conn.starttls(context=context)
                    conn.ehlo()
                if s.smtp_user:
                    conn.login(s.smtp_user, s.smtp_password or "")
            except BaseException:
                conn.close()
                raise
            self._smtp = conn
        return self._smtp

    def email(self, payload: Row, now: datetime) -> None:
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_sender
        mail["To"] = payload["to"]
        mail["Subject"] = payload["subject"]
        mail["Date"] = format_datetime(now)
        mail["Message-ID"] = f"<{payload['id']}@liucheng>"
        mail[ID_HEADER] = payload["id"]
        mail.set_content(payload["body"])
        try:
            self._smtp_session().send_message(mail, self.settings.smtp_sender, [payload["to"]])
        except BaseException:
            self._drop_smtp()  # a broken session is not reused
            raise

    def webhook(self, name: str, payload: Row, now: datetime) -> None:
        hook = self.settings.webhook(name)
        if hook is None:
            raise ConfigurationError(f"no webhook named '{name}' is configured")
        if self._http is None:
            self._http = httpx.Client(timeout=self.settings.timeout_seconds,
                                      transport=self.transport)
        url, headers, body = render_webhook(hook, payload, now)
        answer = self._http.post(url, content=body, headers=headers)
        if not answer.is_success:
            raise DeliveryError(f"HTTP {answer.status_code}: {answer.text[:200]}")
        if hook.kind != "json":  # the robots answer 200 with an error code
            try:
                result = answer.json()
            except ValueError:
                raise DeliveryError(f"the {hook.kind} robot did not answer JSON: "
                                    f"{answer.text[:200]}") from None
            if result.get("errcode", 0) != 0:
                raise DeliveryError(f"{hook.kind} errcode {result.get('errcode')}: "
                                    f"{result.get('errmsg')}")

    def send(self, row: Row, now: datetime) -> str | None:
        """Send one row; the error text when it failed, else None."""
        try:
            if row["channel"] == "email":
                self.email(row["payload"], now)
            elif row["channel"] == "webhook":
                self.webhook(row["recipient"], row["payload"], now)
            else:
                raise ConfigurationError(f"unknown outbox channel '{row['channel']}'")
        except Exception as exc:  # noqa: BLE001 - one message's failure is kept on its row
            text = f"{type(exc).__name__}: {exc}"
            hook = self.settings.webhook(row["recipient"])
            if hook is not None:  # never store a robot's access key in an error
                text = text.replace(hook.url.split("?", 1)[-1], "…")
            return text[:2000]
        return None


def claim_next(db: sa.Engine, settings: NotifySettings, now: datetime) -> Row | None:
    """Take the next due row: count the attempt and lease it until `now + lease_seconds`."""
    with db.begin() as conn:
        stmt = (sa.select(outbox).where(outbox.c.sent_at.is_(None),
                                        outbox.c.next_attempt_at <= now,
                                        outbox.c.attempts < settings.max_attempts)
                .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(1))
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        found = conn.execute(stmt).mappings().first()
        if found is None:
            return None
        row = dict(found)
        row["attempts"] += 1
        taken = conn.execute(outbox.update().where(
            outbox.c.id == row["id"], outbox.c.attempts == found["attempts"],
            outbox.c.sent_at.is_(None)).values(
            attempts=row["attempts"],
            next_attempt_at=now + timedelta(seconds=settings.lease_seconds)))
        return row if taken.rowcount == 1 else None


def _finish(db: sa.Engine, settings: NotifySettings, row: Row, now: datetime,
            error: str | None) -> None:
    with db.begin() as conn:
        if error is None:
            conn.execute(outbox.update().where(outbox.c.id == row["id"],
                                               outbox.c.sent_at.is_(None))
                         .values(sent_at=now, error=None))
            return
        values: Row = {"error": error}
        if row["attempts"] < settings.max_attempts:
            values["next_attempt_at"] = now + settings.retry_delay(row["attempts"])
        # Only while nobody re-claimed the row after an expired lease.
        conn.execute(outbox.update().where(outbox.c.id == row["id"],
                                           outbox.c.attempts == row["attempts"],
                                           outbox.c.sent_at.is_(None)).values(**values))


def deliver(db: sa.Engine, settings: NotifySettings, now: datetime, *, limit: int = 100,
            transport: httpx.BaseTransport | None = None) -> int:
    """Send up to `limit` due messages; returns how many were sent.

    `now` is the time at the start of the run; the run keeps time from it with a monotonic
    clock, so leases stay right however long the sends take. `db` must come from
    `liucheng.storage.database.create_engine` (SQLite claims rely on its BEGIN IMMEDIATE).
    """
    started = time.monotonic()
    sent = 0
    with _Senders(settings, transport) as senders:
        for _ in range(limit):
            row = claim_next(db, settings, now + timedelta(seconds=time.monotonic() - started))
            if row is None:
                break
            error = senders.send(row, now + timedelta(seconds=time.monotonic() - started))
            _finish(db, settings, row, now + timedelta(seconds=time.monotonic() - started),
                    error)
            sent += error is None
    return sent


# -- administration -------------------------------------------------------------------------
def failed(db: sa.Engine, settings: NotifySettings, *, limit: int = 100) -> list[Row]:
    """Rows that used up their attempts, with their last error, oldest first."""
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(outbox).where(outbox.c.sent_at.is_(None),
                                    outbox.c.attempts >= settings.max_attempts)
            .order_by(outbox.c.created_at, outbox.c.id).limit(limit)).mappings()]


def requeue(db: sa.Engine, ids: Iterable[str], now: datetime) -> int:
    """Give unsent rows a fresh set of attempts from `now` (after the cause is fixed)."""
    with db.begin() as conn:
        result = conn.execute(outbox.update().where(outbox.c.id.in_(list(ids)),
                                                    outbox.c.sent_at.is_(None))
                              .values(attempts=0, next_attempt_at=now))
        return int(result.rowcount)
