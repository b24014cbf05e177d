"""The outbox after commit: e-mail to a local SMTP server, signed JSON, WeCom and DingTalk
robots on a local HTTP receiver, retries with back-off, and claiming by parallel deliverers
(SQLite and PostgreSQL). Nothing leaves the loopback interface."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from liucheng.errors import ConfigurationError, ConflictError
from liucheng.runtime import Engine
from liucheng.runtime.outbox import (
    NotifySettings,
    Webhook,
    claim_next,
    deliver,
    enqueue,
    failed,
    requeue,
)
from liucheng.storage.database import create_engine, migrate
from liucheng.storage.repository import Repository
from liucheng.storage.tables import outbox
from testclock import Clock

MODEL = """
process: leave
name: 请假
roles: {clerk: 文员, reviewer: 审核员}
steps:
  - {id: review, role: reviewer, name: 审核}
"""
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
JSON_SECRET = "s3cret-json"
DING_SECRET = "SEC-ding-robot"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Mailbox:
    """An aiosmtpd handler that keeps every message, or answers `refusal` instead."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refusal: str | None = None
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusal:
            return self.refusal
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default)
                for e in self.envelopes]


class Receiver:
    """A small HTTP server on loopback that records POSTs; answers are set per path."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: dict[str, tuple[int, bytes]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                path, _, query = self.path.partition("?")
                receiver.requests.append({"path": path, "query": urllib.parse.parse_qs(query),
                                          "headers": dict(self.headers.items()), "body": body})
                status, reply = receiver.answers.get(path, (200, b'{"errcode":0,"errmsg":"ok"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _settings(mailbox: Mailbox, receiver: Receiver, **changes: Any) -> NotifySettings:
    hooks = (
        Webhook("erp", receiver.url("/json"), "json", secret=JSON_SECRET),
        Webhook("wecom", receiver.url("/wecom?key=WECOM-KEY"), "wecom"),
        Webhook("ding", receiver.url("/ding?access_token=TOKEN"), "dingtalk",
                secret=DING_SECRET, format="text"),
        Webhook("new-tasks-only", receiver.url("/assigned"), "json", secret="x",
                kinds=("assigned",)),
    )
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1", "smtp_port": mailbox.port,
        "smtp_sender": "流程 <noreply@example.com>", "webhooks": hooks,
        "base_url": "https://bpm.example.com/", "timeout_seconds": 5.0}
    values.update(changes)
    return NotifySettings(**values)


def _engine(url: str, settings: NotifySettings) -> Engine:
    engine = Engine(url, clock=Clock(T0, tick=timedelta(seconds=1)), notify=settings)
    engine.add_user("wang", "王五", roles=["clerk"], email="wang@example.com")
    engine.add_user("li", "李四", roles=["reviewer"], email="li@example.com")
    engine.add_user("zhao", "赵六", roles=["reviewer"])  # no address: in-app only
    engine.deploy(MODEL)
    return engine


@pytest.fixture
def engine(tmp_path: Path, mailbox: Mailbox, receiver: Receiver) -> Iterator[Engine]:
    engine = _engine(f"sqlite:///{tmp_path / 'outbox.db'}", _settings(mailbox, receiver))
    yield engine
    engine.close()


def _urge(engine: Engine) -> str:
    case = engine.start("leave", {}, user="wang", business_key="A-7")
    (task,) = engine.tasks(case=case.id)
    engine.urge(task.id, user="wang", comment="客户在等")
    return task.id


def _rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.db.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(outbox).order_by(outbox.c.id)).mappings()]


def test_an_urge_is_mailed_after_commit_to_people_with_an_address(
        engine: Engine, mailbox: Mailbox) -> None:
    task = _urge(engine)
    assert mailbox.envelopes == []  # queued in the command, not sent in it
    assert {(r["channel"], r["recipient"]) for r in _rows(engine)} == {
        ("email", "li@example.com"), ("webhook", "erp"), ("webhook", "wecom"),
        ("webhook", "ding")}
    assert engine.deliver_notifications() == 4
    (envelope,) = mailbox.envelopes
    assert envelope.rcpt_tos == ["li@example.com"]
    assert envelope.mail_from == "noreply@example.com"
    (mail,) = mailbox.messages()
    assert mail["To"] == "li@example.com"
    assert mail["Subject"] == "【流程】催办：审核 / Reminder: 审核 — 客户在等"
    body = mail.get_content()
    assert body.startswith("李四，您好：")
    assert "案件：请假 A-7" in body and "Case: 请假 A-7" in body
    assert body.index("步骤：审核") < body.index("Hello 李四") < body.index("Step: 审核")
    assert "时间：2026-03-02 09:00" in body  # shown in Asia/Shanghai
    assert f"办理：https://bpm.example.com/tasks/{task}" in body
    (row,) = [r for r in _rows(engine) if r["channel"] == "email"]
    assert mail["Message-ID"] == f"<{row['id']}@liucheng>"
    assert row["sent_at"] is not None and row["attempts"] == 1 and row["error"] is None
    assert engine.deliver_notifications() == 0  # nothing is sent twice
    assert len(mailbox.envelopes) == 1
    assert [n["kind"] for n in engine.notifications("zhao")] == ["urge"]  # in-app still there


def test_a_refused_command_queues_nothing(engine: Engine) -> None:
    task = _urge(engine)
    before = len(_rows(engine))
    with pytest.raises(ConflictError):
        engine.urge(task, user="wang")
    assert len(_rows(engine)) == before


def test_signed_json_wecom_and_dingtalk_payloads(engine: Engine, receiver: Receiver) -> None:
    task = _urge(engine)
    engine.deliver_notifications()
    assert receiver.to("/assigned") == []  # that webhook only takes new tasks

    (erp,) = receiver.to("/json")
    stamp, body = erp["headers"]["X-Liucheng-Timestamp"], erp["body"]
    expected = hmac.new(JSON_SECRET.encode(), stamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert erp["headers"]["X-Liucheng-Signature"] == "sha256=" + expected
    message = json.loads(body)
    assert erp["headers"]["X-Liucheng-Id"] == message["id"]
    assert message["id"] in {r["id"] for r in _rows(engine)}
    assert abs(int(stamp) - T0.timestamp()) < 60
    assert message["kind"] == "urge" and message["task"] == task and message["step"] == "审核"
    assert message["users"] == ["li", "zhao"] and message["user_names"] == ["李四", "赵六"]
    assert message["text"] == "催办：审核 / Reminder: 审核 — 客户在等"
    assert message["case_title"] == "请假 A-7" and message["process"] == "leave"
    assert message["at"].endswith("+08:00")
    assert "li@example.com" not in body.decode()  # addresses stay inside

    (wecom,) = receiver.to("/wecom")
    assert wecom["query"] == {"key": ["WECOM-KEY"]}
    payload = json.loads(wecom["body"])
    assert payload["msgtype"] == "markdown" and set(payload) == {"msgtype", "markdown"}
    content = payload["markdown"]["content"]
    assert "催办：审核 / Reminder: 审核" in content
    assert content.index("> 案件：请假 A-7") < content.index("> Case: 请假 A-7")
    assert f"[办理 / Open](https://bpm.example.com/tasks/{task})" in content

    (ding,) = receiver.to("/ding")
    query = ding["query"]
    assert query["access_token"] == ["TOKEN"]
    (ts,), (sign,) = query["timestamp"], query["sign"]
    digest = hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(),
                      hashlib.sha256).digest()
    assert sign == base64.b64encode(digest).decode()  # parse_qs undid the URL-encoding
    assert abs(int(ts) - T0.timestamp() * 1000) < 60_000
    payload = json.loads(ding["body"])
    assert payload["msgtype"] == "text"
    assert payload["text"]["content"].startswith("【流程】催办：审核 / Reminder: 审核")
    assert payload["at"] == {"atMobiles": [], "atUserIds": [], "isAtAll": False}


def test_dingtalk_markdown_and_text_without_a_secret(
        tmp_path: Path, mailbox: Mailbox, receiver: Receiver) -> None:
    settings = _settings(mailbox, receiver, smtp_host=None, webhooks=(
        Webhook("ding", receiver.url("/ding?access_token=T"), "dingtalk"),
        Webhook("wecom", receiver.url("/wecom?key=K"), "wecom", format="text")))
    engine = _engine(f"sqlite:///{tmp_path / 'o.db'}", settings)
    _urge(engine)
    assert engine.deliver_notifications() == 2
    (ding,) = receiver.to("/ding")
    assert ding["query"] == {"access_token": ["T"]}  # unsigned robot: no sign params
    payload = json.loads(ding["body"])
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "【流程】催办：审核 / Reminder: 审核 — 客户在等"
    assert "> 步骤：审核" in payload["markdown"]["text"]
    (wecom,) = receiver.to("/wecom")
    payload = json.loads(wecom["body"])
    assert payload["msgtype"] == "text" and "Step: 审核" in payload["text"]["content"]
    assert mailbox.envelopes == []  # no SMTP server configured: no e-mail rows
    engine.close()


def test_a_failing_receiver_is_retried_with_back_off_and_sent_once(
        tmp_path: Path, mailbox: Mailbox, receiver: Receiver) -> None:
    settings = _settings(mailbox, receiver, smtp_host=None, webhooks=(
        Webhook("erp", receiver.url("/json"), "json", secret=JSON_SECRET),))
    engine = _engine(f"sqlite:///{tmp_path / 'o.db'}", settings)
    _urge(engine)
    receiver.answers["/json"] = (500, b"database down")
    now = T0 + timedelta(minutes=1)
    assert deliver(engine.db, settings, now) == 0
    (row,) = _rows(engine)
    assert row["attempts"] == 1 and row["sent_at"] is None
    assert row["error"] == "DeliveryError: HTTP 500: database down"
    assert now + timedelta(seconds=30) <= row["next_attempt_at"] < now + timedelta(seconds=31)
    assert deliver(engine.db, settings, now + timedelta(seconds=20)) == 0  # not due yet
    assert len(receiver.requests) == 1
    assert deliver(engine.db, settings, now + timedelta(seconds=31)) == 0
    (row,) = _rows(engine)
    assert row["attempts"] == 2  # the second wait is twice as long
    later = now + timedelta(seconds=31)
    assert later + timedelta(seconds=60) <= row["next_attempt_at"] < later + timedelta(seconds=61)

    del receiver.answers["/json"]
    assert deliver(engine.db, settings, now + timedelta(seconds=200)) == 1
    assert deliver(engine.db, settings, now + timedelta(days=30)) == 0
    ids = {r["headers"]["X-Liucheng-Id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and ids == {row["id"]}  # one id for every try
    (row,) = _rows(engine)
    assert row["sent_at"] is not None and row["error"] is None and row["attempts"] == 3
    engine.close()


def test_connection_refused_and_smtp_refusals_use_up_attempts_then_wait_for_an_admin(
        tmp_path: Path, mailbox: Mailbox, receiver: Receiver) -> None:
    closed = _free_port()
    settings = _settings(mailbox, receiver, max_attempts=3, webhooks=(
        Webhook("wecom", f"http://127.0.0.1:{closed}/send?key=ROBOT-KEY", "wecom"),))
    engine = _engine(f"sqlite:///{tmp_path / 'o.db'}", settings)
    _urge(engine)
    mailbox.refusal = "451 4.3.0 mailbox busy, try later"
    now = T0
    for _ in range(5):
        now += timedelta(days=1)
        assert deliver(engine.db, settings, now) == 0
    rows = {r["channel"]: r for r in _rows(engine)}
    assert [rows[c]["attempts"] for c in ("email", "webhook")] == [3, 3]
    assert "ConnectError" in rows["webhook"]["error"]
    assert "ROBOT-KEY" not in rows["webhook"]["error"]
    assert "451" in rows["email"]["error"] and "SMTPDataError" in rows["email"]["error"]
    assert {r["id"] for r in failed(engine.db, settings)} == {r["id"] for r in rows.values()}

    mailbox.refusal = None
    assert requeue(engine.db, [rows["email"]["id"]], now) == 1
    assert deliver(engine.db, settings, now) == 1
    assert len(mailbox.envelopes) == 1
    assert [r["id"] for r in failed(engine.db, settings)] == [rows["webhook"]["id"]]
    engine.close()


def test_wecom_error_codes_count_as_failures(
        tmp_path: Path, mailbox: Mailbox, receiver: Receiver) -> None:
    settings = _settings(mailbox, receiver, smtp_host=None, webhooks=(
        Webhook("wecom", receiver.url("/wecom?key=K"), "wecom"),))
    engine = _engine(f"sqlite:///{tmp_path / 'o.db'}", settings)
    _urge(engine)
    receiver.answers["/wecom"] = (200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')
    assert engine.deliver_notifications() == 0
    (row,) = _rows(engine)
    assert row["error"] == "DeliveryError: wecom errcode 93000: invalid webhook url"
    engine.close()


def test_a_deliverer_that_died_mid_send_is_covered_after_its_lease(
        tmp_path: Path, mailbox: Mailbox, receiver: Receiver) -> None:
    settings = _settings(mailbox, receiver, smtp_host=None, lease_seconds=120, webhooks=(
        Webhook("erp", receiver.url("/json"), "json", secret=JSON_SECRET),))
    engine = _engine(f"sqlite:///{tmp_path / 'o.db'}", settings)
    _urge(engine)
    claimed = claim_next(engine.db, settings, T0 + timedelta(minutes=1))
    assert claimed is not None  # … and its deliverer never comes back
    assert deliver(engine.db, settings, T0 + timedelta(minutes=2)) == 0
    assert deliver(engine.db, settings, T0 + timedelta(minutes=3, seconds=1)) == 1
    (request,) = receiver.requests
    assert request["headers"]["X-Liucheng-Id"] == claimed["id"]
    engine.close()


def _queue(db: sa.Engine, settings: NotifySettings, count: int) -> None:
    rows = [{"id": f"note{i:04d}", "user_id": "li", "instance_id": None, "task_id": None,
             "kind": "cc", "text": f"抄送 {i} / Copy {i}", "created_at": T0}
            for i in range(count)]
    with db.begin() as conn:
        assert enqueue(Repository(conn), rows, settings) == count


def test_two_deliverers_never_send_the_same_row(database_url: str, receiver: Receiver) -> None:
    settings = NotifySettings(webhooks=(Webhook("erp", receiver.url("/json"), "json",
                                                secret=JSON_SECRET),))
    db = create_engine(database_url)
    migrate(db)
    _queue(db, settings, 40)
    start = threading.Barrier(2)
    sent: list[int] = []

    def run() -> None:
        start.wait()
        sent.append(deliver(db, settings, T0 + timedelta(seconds=1)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [r["headers"]["X-Liucheng-Id"] for r in receiver.requests]
    assert len(ids) == 40 and len(set(ids)) == 40 and sum(sent) == 40
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).where(
            outbox.c.sent_at.is_not(None), outbox.c.attempts == 1)).scalar() == 40
    db.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_claims_skip_rows_another_deliverer_holds(
        database_url: str, receiver: Receiver) -> None:
    settings = NotifySettings(webhooks=(Webhook("erp", receiver.url("/json"), "json",
                                                secret=JSON_SECRET),))
    db = create_engine(database_url)
    migrate(db)
    _queue(db, settings, 2)
    with db.begin() as held:
        first = held.execute(sa.select(outbox.c.id).order_by(outbox.c.next_attempt_at,
                                                             outbox.c.id)
                             .limit(1).with_for_update()).scalar()
        claims: list[Any] = []
        claimer = threading.Thread(target=lambda: claims.extend(
            claim_next(db, settings, T0 + timedelta(seconds=1)) for _ in range(2)))
        claimer.start()
        claimer.join(timeout=20)
        assert not claimer.is_alive(), "a claim waited for the held row"
        other, nothing = claims
        assert other is not None and other["id"] != first and nothing is None
    db.dispose()


def test_enqueue_is_idempotent_per_notification(tmp_path: Path, receiver: Receiver) -> None:
    settings = NotifySettings(webhooks=(Webhook("erp", receiver.url("/json"), "json",
                                                secret=JSON_SECRET),))
    db = create_engine(f"sqlite:///{tmp_path / 'o.db'}")
    migrate(db)
    _queue(db, settings, 1)
    with pytest.raises(sa.exc.IntegrityError):
        _queue(db, settings, 1)  # the same notification cannot be queued twice
    db.dispose()


def test_settings_from_a_configuration_mapping() -> None:
    settings = NotifySettings.from_mapping({
        "smtp": {"host": "smtp.example.com", "port": 465, "ssl": True, "user": "bpm",
                 "password": "pw", "sender": "bpm@example.com"},
        "email_kinds": ["assigned", "urge"], "base_url": "https://bpm.example.com",
        "webhooks": [{"name": "ops", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/"
                      "send?key=abc", "kind": "wecom", "kinds": ["urge"]}]})
    assert settings.smtp_port == 465 and settings.smtp_ssl and settings.email_kinds == (
        "assigned", "urge")
    assert settings.webhooks[0].kinds == ("urge",)
    assert "pw" not in repr(settings) and "key=abc" not in repr(settings)
    assert settings.retry_delay(1) == timedelta(seconds=30)
    assert settings.retry_delay(4) == timedelta(seconds=240)
    assert settings.retry_delay(40) == timedelta(hours=6)
    with pytest.raises(ConfigurationError, match="unknown notification setting 'smtp_hots'"):
        NotifySettings.from_mapping({"smtp": {"hots": "x"}})
    with pytest.raises(ConfigurationError, match="needs a secret"):
        Webhook("erp", "https://erp.example.com/hook", "json")
    with pytest.raises(ConfigurationError, match="unknown notification kind 'urgent'"):
        Webhook("ops", "https://x.example.com", "wecom", kinds=("urgent",))
    with pytest.raises(ConfigurationError, match="unknown kind 'slack'"):
        NotifySettings.from_mapping({"webhooks": [{"name": "s", "url": "https://x",
                                                   "kind": "slack"}]})
