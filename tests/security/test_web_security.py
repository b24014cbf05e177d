"""The web pages and REST API against hostile users: CSRF on every state-changing route,
stored XSS through process, role and step names, form values, comments, business keys and
file names; hostile uploads; masking of ID and mobile numbers in pages, API answers,
exports and logs; and an audit trail no route can change.

Routes are discovered from the app (`security.declared`), so routes added later are
covered without editing this file. The authorization matrix (who may call which route)
is tests/api/test_route_permissions.py, which fails for any route missing from it.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from security_kit import tried
from webworld import World

from liucheng.api.security import declared
from liucheng.org import permissions
from liucheng.storage.tables import events, metadata

SKIP_TABLES = {"web_sessions", "login_attempts"}  # touched by every signed-in request
PAGES = ("/api/", "/static/", "/openapi", "/docs")


def snapshot(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the session bookkeeping), to prove nothing changed."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with world.svc.db() as db:
        for name in sa.inspect(db.conn).get_table_names():
            if name in SKIP_TABLES:
                continue
            rows = db.conn.execute(sa.text(f'SELECT * FROM "{name}"')).all()
            out[name] = sorted(tuple(map(str, r)) for r in rows)
    return out


def routes(world: World) -> dict[str, str]:
    return declared(world.app.routes)


def fill(path: str, values: dict[str, str]) -> str | None:
    """The path with its parameters filled in, or None when one is unknown."""
    names = re.findall(r"{([^}:]+)(?::[^}]+)?}", path)
    if any(n not in values for n in names):
        return None
    return re.sub(r"{([^}:]+)(?::[^}]+)?}", lambda m: values[m.group(1)], path)


def ids(world: World, **more: str) -> dict[str, str]:
    return {"case_id": world.case, "task_id": world.task, "incident_id": world.incident,
            "key": "leave_request", "user_id": "dave", "role_id": "manager",
            "org_id": "other", "token_id": "0" * 32, "cc_id": "0" * 32,
            "supplement_id": "0" * 32, "code": "en", "version": "1", "sha256": "0" * 64,
            **more}


# -- CSRF -------------------------------------------------------------------------------
def test_every_state_changing_route_needs_the_csrf_token(world: World) -> None:
    """A signed-in browser (an administrator: every permission) posting without the
    token, or with a forged one, is refused with 403 and nothing changes."""
    admin = world.session("admin")
    before = snapshot(world)
    checked = []
    for route, permission in sorted(routes(world).items()):
        method, path = route.split(" ", 1)
        if method in ("GET", "HEAD", "OPTIONS") or permission == "public":
            continue
        url = fill(path, ids(world))
        assert url is not None, f"no value for a parameter of {route}"
        for token in (None, "forged-" + "x" * 20):
            tried("CSRF attempts")
            form = {"comment": "csrf", "text": "csrf", "to": "bob", "reason": "x"}
            headers = {}
            if token is not None:
                form["csrf_token"] = token
                headers = {"X-CSRF-Token": token} if path.startswith("/api/") else {}
            if path.startswith("/api/"):
                answer = admin.request(method, url, json=form, headers=headers)
            else:
                answer = admin.request(method, url, data=form)
            assert answer.status_code == 403, f"{route} with token {token}: " \
                                              f"{answer.status_code} {answer.text[:200]}"
            assert "security token" in answer.text  # refused for the token, not otherwise
        checked.append(route)
    assert snapshot(world) == before, "a refused request changed something"
    assert len(checked) >= 20


def test_a_cross_site_form_post_cannot_sign_in_or_out(world: World) -> None:
    """The sign-in form needs its pre-session token; signing out needs the session's."""
    browser = world.browser("alice")
    assert browser.post("/logout", data={}).status_code == 403
    assert browser.get("/inbox").status_code == 200  # still signed in
    stranger = TestClient(world.app, follow_redirects=False)
    answer = stranger.post("/login", data={"user": "alice", "password": "alice-pass-1"})
    assert answer.status_code == 403 and "lc_session" not in answer.cookies


# -- stored XSS ---------------------------------------------------------------------------
P_SCRIPT = "<script>alert('xss-1')</script>"
P_IMG = "\"><img src=x onerror=alert('xss-2')>"
P_SVG = "'><svg onload=alert('xss-3')>"
P_JS = "javascript:alert('xss-4')"
RAW = ("<script>alert(", "<img src=x", "<svg onload", "href=\"javascript:", "src=\"javascript:")
HOSTILE = f"""
process: xss_probe
name: {{zh: "{P_SCRIPT}", en: "{P_SCRIPT}"}}
description: {{zh: '{P_IMG.replace("'", "''")}', en: x}}
roles:
  staff: {{zh: "{P_SCRIPT}", en: "{P_SCRIPT}"}}
  manager: {{zh: 经理, en: Manager}}
steps:
  - id: apply
    name: {{zh: '{P_IMG.replace("'", "''")}', en: '{P_IMG.replace("'", "''")}'}}
    assignee: starter
    instructions: {{zh: "{P_SCRIPT}", en: "{P_SCRIPT}"}}
    form:
      - {{id: note, type: text, required: true, label: {{zh: "{P_SCRIPT}", en: x}}}}
      - {{id: link, type: text, label: {{zh: 链接, en: Link}}}}
      - {{id: kind, type: select, choices: ["{P_SCRIPT}", plain]}}
  - id: approve
    name: {{zh: "{P_SCRIPT}", en: x}}
    role: manager
    outcomes: [approve, reject]
    form:
      - {{id: remark, type: text, label: {{zh: "{P_SCRIPT}", en: x}}}}
"""


def _hostile_case(world: World) -> tuple[str, str]:
    """A case of the hostile process with payloads in every value a person can type."""
    admin = world.client("admin")
    deployed = admin.post("/api/v1/definitions", json={"source": HOSTILE})
    assert deployed.status_code == 201, deployed.text
    alice = world.client("alice")
    case = alice.post("/api/v1/cases", json={"process": "xss_probe",
                                             "business_key": P_IMG[:60]})
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    first = case.json()["open_tasks"][0]["id"]
    done = alice.post(f"/api/v1/tasks/{first}/complete", json={"variables": {
        "note": P_SCRIPT + P_IMG + P_SVG, "link": P_JS, "kind": P_SCRIPT}})
    assert done.status_code == 200, done.text
    if "POST /api/v1/cases/{case_id}/comments" in routes(world):
        said = alice.post(f"/api/v1/cases/{case_id}/comments", json={"text": P_SCRIPT + P_SVG})
        assert said.status_code == 200, said.text
    else:
        world.svc.engine.comment(case_id, P_SCRIPT + P_SVG, user="alice")
    name = f"{P_IMG}.txt".replace("/", "")
    if "POST /api/v1/cases/{case_id}/files" in routes(world):
        sent = alice.post(f"/api/v1/cases/{case_id}/files",
                          files={"file": (name, P_SCRIPT.encode(), "text/plain")})
        assert sent.status_code == 201, sent.text
    else:
        world.svc.engine.upload(case_id, P_SCRIPT.encode(), name, user="alice")
    task = world.svc.engine.tasks(case=case_id)[0].id
    return case_id, task


def test_stored_payloads_are_escaped_on_every_page(world: World) -> None:
    case_id, task_id = _hostile_case(world)
    values = ids(world, case_id=case_id, task_id=task_id, key="xss_probe")
    pages = [route.split(" ", 1)[1] for route in routes(world)
             if route.startswith("GET ") and not route.split(" ", 1)[1].startswith(PAGES)]
    rendered = 0
    for who in ("alice", "bob", "admin"):
        browser = world.session(who)
        for path in pages:
            url = fill(path, values)
            if url is None or path.startswith("/lang"):
                continue
            tried("XSS page renders")
            answer = browser.get(url)
            assert answer.status_code < 500, f"{url} as {who}: {answer.status_code}"
            if "html" not in answer.headers.get("content-type", ""):
                continue
            rendered += 1
            for raw in RAW:
                assert raw not in answer.text, f"{url} as {who} shows {raw!r} unescaped"
    assert rendered >= 10
    case_page = world.session("alice").get(f"/cases/{case_id}").text
    assert "&lt;script&gt;alert(" in case_page  # the payload is shown, as text


def test_api_answers_are_json_with_nosniff(world: World) -> None:
    case_id, task_id = _hostile_case(world)
    alice = world.client("alice")
    for url in (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/history",
                f"/api/v1/tasks?case={case_id}", "/api/v1/definitions/xss_probe",
                "/api/v1/cases/nothing-here"):
        tried("XSS API answers")
        answer = alice.get(url)
        assert answer.headers["content-type"].split(";")[0] in ("application/json",
                                                                "application/problem+json")
        assert answer.headers.get("x-content-type-options") == "nosniff"
    if "GET /api/v1/cases/{case_id}/files/{sha256}" in routes(world):
        (stored,) = alice.get(f"/api/v1/cases/{case_id}/files").json()
        download = alice.get(f"/api/v1/cases/{case_id}/files/{stored['sha256']}")
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.headers.get("x-content-type-options") == "nosniff"
        assert "<img" not in download.headers["content-disposition"].split("filename*")[0]


# -- uploads ------------------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(world: World, user: str, name: str, content: bytes) -> tuple[int, Any]:
    client = world.client(user)
    if "POST /api/v1/cases/{case_id}/files" in routes(world):
        answer = client.post(f"/api/v1/cases/{world.case}/files",
                             files={"file": (name, content, "application/octet-stream")})
        return answer.status_code, answer.json()
    from liucheng.errors import LiuchengError  # the Engine, when there is no route yet

    try:
        return 201, world.svc.engine.upload(world.case, content, name, user=user)
    except LiuchengError as exc:
        return 422, exc.to_dict()


@pytest.mark.parametrize("name", [
    "../../../../tmp/liucheng-evil.pdf", "..\\..\\..\\liucheng-evil.pdf",
    "/etc/cron.d/liucheng-evil.pdf", "a/../../liucheng-evil.pdf", "....//....//evil.pdf",
    "evil.pdf\x00.exe", ".htaccess.pdf", "~/.ssh/authorized_keys.pdf", "CON.pdf",
    "%2e%2e%2fevil.pdf", "\u202eevil\u202dfdp.pdf", "x" * 300 + ".pdf"])
def test_path_traversal_names_stay_in_the_file_store(world: World, name: str) -> None:
    tried("upload attempts")
    root = Path(world.svc.engine.files.root)
    status, body = _upload(world, "alice", name, PDF)
    assert status in (201, 422), body  # 422: the name's real extension is not accepted
    if status == 201:
        stored = body["filename"]
        assert "/" not in stored and "\\" not in stored and not stored.startswith(".")
        assert "\x00" not in stored and len(stored) <= 200
    files = [p for p in root.parent.rglob("*") if p.is_file() and root in p.parents]
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.name) for p in files)
    assert not list(root.parent.parent.rglob("*evil*")), "a file landed outside the store"
    assert not Path("/tmp/liucheng-evil.pdf").exists()
    assert not Path("/etc/cron.d/liucheng-evil.pdf").exists()


@pytest.mark.parametrize(("name", "content", "why"), [
    ("scan.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "an executable named .pdf"),
    ("photo.png", b"<html><script>alert(1)</script></html>", "HTML named .png"),
    ("photo.jpg", b"<?php system($_GET['c']); ?>", "PHP named .jpg"),
    ("vector.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "SVG"),
    ("page.html", b"<script>alert(1)</script>", "an HTML page"),
    ("drawing.svg", b"<svg/>", "an SVG image"),
    ("run.exe", b"MZ\x90\x00", "an executable"),
    ("script.js", b"alert(1)", "JavaScript"),
    ("notes.txt", b"\xff\xfe\x00\x00binary", "binary named .txt"),
    ("empty.pdf", b"", "an empty file"),
    ("noext", PDF, "no extension"),
])
def test_mislabelled_and_unwanted_uploads_are_refused(world: World, name: str,
                                                      content: bytes, why: str) -> None:
    tried("upload attempts")
    before = snapshot(world).get("attachments", [])
    status, body = _upload(world, "alice", name, content)
    assert status == 422, f"{why} was accepted: {body}"
    assert snapshot(world).get("attachments", []) == before


def test_an_oversized_upload_is_refused_without_being_stored(world: World) -> None:
    tried("upload attempts")
    limit = world.svc.engine.files.max_size
    status, _ = _upload(world, "alice", "big.pdf", PDF + b"0" * limit)
    assert status in (413, 422)
    root = Path(world.svc.engine.files.root)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def _zip(entries: dict[str, bytes], **patch: int) -> bytes:
    """An Office-like zip; `patch` overwrites the unpacked size the central directory
    declares for its first entry (a lying archive)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    data = bytearray(out.getvalue())
    if "declared" in patch:
        central = data.index(b"PK\x01\x02")
        data[central + 24:central + 28] = struct.pack("<I", patch["declared"])
    return bytes(data)


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 50}


@pytest.mark.parametrize(("name", "content", "why"), [
    ("bomb.docx", _zip({**DOCX, "word/media/a.bin": bytes(10 * 2**20)}),
     "10 MB of zeros packed 1,000 to 1"),
    ("bomb.xlsx", _zip({f"xl/worksheets/s{n}.xml": b"<x/>" for n in range(1001)}),
     "1,001 entries"),
    ("huge.xlsx", _zip({"xl/workbook.xml": b"<w/>" * 200}, declared=300 * 2**20),
     "300 MB unpacked declared"),
    ("liar.docx", _zip({"word/document.xml": b"<w:document/>" * 2000}, declared=10),
     "an entry unpacking past the size it declares"),
    ("cut.docx", _zip(DOCX)[:-30], "a zip cut short"),
    ("junk.docx", b"PK\x03\x04" + b"\x00" * 500, "zip magic and junk"),
])
def test_zip_bombs_and_damaged_office_files_are_refused(world: World, name: str,
                                                        content: bytes, why: str) -> None:
    tried("upload attempts")
    before = snapshot(world).get("attachments", [])
    status, body = _upload(world, "alice", name, content)
    assert status == 422, f"{why} was accepted: {body}"
    assert name in str(body) and "Word or Excel" in str(body), body
    assert snapshot(world).get("attachments", []) == before
    root = Path(world.svc.engine.files.root)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
    status, body = _upload(world, "alice", "letter.docx", _zip(DOCX))
    assert status == 201, body


def test_people_not_on_the_case_can_neither_upload_nor_download(world: World) -> None:
    status, body = _upload(world, "alice", "ok.pdf", PDF)
    assert status == 201
    tried("upload attempts")
    status, _ = _upload(world, "carol", "x.pdf", PDF)  # another organisation
    assert status in (403, 404)
    if "GET /api/v1/cases/{case_id}/files/{sha256}" in routes(world):
        answer = world.client("carol").get(f"/api/v1/cases/{world.case}/files/{body['sha256']}")
        assert answer.status_code in (403, 404)


# -- masking -------------------------------------------------------------------------------
MOBILE = "13812345678"
ID_NUMBER = "11010519491231002X"
SENSITIVE = """
process: id_check
name: {zh: 身份核验, en: Identity check}
roles: {staff: 员工, manager: 经理}
steps:
  - id: apply
    assignee: starter
    form:
      - {id: owner_id, type: id_number, required: true}
      - {id: contact, type: mobile, required: true}
  - {id: review, role: manager, outcomes: [approve, reject]}
reports:
  - {id: per_contact, name: {zh: 按联系电话, en: By phone}, measure: count, group_by: contact}
"""


def _sensitive_case(world: World, caplog: pytest.LogCaptureFixture) -> str:
    caplog.set_level(logging.DEBUG)
    world.client("admin").post("/api/v1/definitions", json={"source": SENSITIVE})
    alice = world.client("alice")
    case = alice.post("/api/v1/cases", json={"process": "id_check"}).json()
    done = alice.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", json={
        "variables": {"owner_id": ID_NUMBER, "contact": MOBILE}})
    assert done.status_code == 200, done.text
    return str(case["id"])


def _shows_no_full_value(text: str, where: str) -> None:
    assert MOBILE not in text and ID_NUMBER not in text, f"{where} shows a full number"


def test_pages_and_api_mask_numbers_for_people_without_the_right(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    case_id = _sensitive_case(world, caplog)
    task_id = world.svc.engine.tasks(case=case_id)[0].id
    bob_api, bob_page = world.client("bob"), world.session("bob")
    for url in (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/history",
                f"/api/v1/tasks/{task_id}", f"/api/v1/tasks?case={case_id}",
                f"/api/v1/cases?q={MOBILE}", "/api/v1/tasks"):
        tried("masking checks")
        answer = bob_api.get(url)
        assert answer.status_code < 500, url
        _shows_no_full_value(answer.text, url)
    shown = bob_api.get(f"/api/v1/cases/{case_id}").json()["variables"]
    assert shown["contact"] == "138****5678" and shown["owner_id"] == "1101**********002X"
    for url in (f"/cases/{case_id}", f"/cases/{case_id}/print", f"/tasks/{task_id}",
                "/inbox", "/cases"):
        tried("masking checks")
        answer = bob_page.get(url)
        assert answer.status_code < 500, url
        _shows_no_full_value(answer.text, url)
    assert "138****5678" in bob_page.get(f"/cases/{case_id}").text
    full = world.client("admin").get(f"/api/v1/cases/{case_id}").json()["variables"]
    assert full["contact"] == MOBILE  # administrators are entitled


def test_logs_never_hold_the_numbers(world: World, caplog: pytest.LogCaptureFixture) -> None:
    case_id = _sensitive_case(world, caplog)
    world.client("bob").get(f"/api/v1/cases/{case_id}")
    world.client("alice").post(f"/api/v1/tasks/{world.task}/complete",
                               json={"variables": {"days": MOBILE}})  # a refused value
    tried("masking checks")
    for record in caplog.records:
        _shows_no_full_value(record.getMessage() + str(record.exc_text or ""), "a log line")


# Every CLI command that writes case data in bulk, with the options that make it show the
# two sensitive variables; a command added to `liucheng report` without a row here fails.
CLI_EXPORTS = {
    "export-log xes": ["export-log", "id_check", "--format", "xes"],
    "export-log csv": ["export-log", "id_check", "--format", "csv", "--case-attr", "owner_id",
                       "--case-attr", "contact"],
    "export-log file": ["export-log", "id_check", "--format", "xes", "-o", "{out}/log.xes.gz"],
    "progress": ["report", "progress", "-p", "id_check", "-g", "contact", "--remarks",
                 "owner_id", "--all", "--json"],
    "progress csv": ["report", "progress", "-p", "id_check", "-g", "owner_id", "--csv"],
    "progress xlsx": ["report", "progress", "-p", "id_check", "-g", "contact", "--xlsx",
                      "{out}/progress.xlsx"],
    "measures": ["report", "measures", "-p", "id_check", "-f", "count", "-g", "contact",
                 "--json"],
    "declared": ["report", "declared", "id_check", "--json"],
    **{name: ["report", name, "-p", "id_check", "--json"]
       for name in ("steps", "bottlenecks", "cycle", "workload", "rework", "flows")},
}


def _written(args: list[str], out: Path) -> str:
    """The text a CLI command printed and every file it wrote (unpacked)."""
    from typer.testing import CliRunner

    from liucheng.cli.main import app as cli

    for f in out.iterdir():
        f.unlink()
    done = CliRunner().invoke(cli, [a.format(out=out) for a in args])
    assert done.exit_code == 0, (args, done.output)
    return done.output + "".join(_unpacked(f.read_bytes()) for f in sorted(out.iterdir()))


def _unpacked(data: bytes) -> str:
    """A file's text: gzip and zip (Excel) unpacked."""
    import gzip

    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data).decode("utf-8")
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return data.decode("utf-8")


def test_exports_and_reports_mask_numbers_unless_entitled(
        world: World, caplog: pytest.LogCaptureFixture, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Event logs (XES, CSV, gzip) and reports (JSON, CSV, Excel) from the CLI and the REST
    API, and the dashboard pages: ID and mobile numbers masked for readers without
    `sensitive.read` and by default on the command line; in full for an administrator
    and with `--unmasked`."""
    from liucheng.api.reporting import FORMATS, KINDS
    from liucheng.cli.report_commands import report_app

    case_id = _sensitive_case(world, caplog)
    world.svc.engine.set_variables(case_id, {"count": 2}, user="admin")
    monkeypatch.setenv("LIUCHENG_DATABASE_URL", world.svc.settings.database_url)
    out = tmp_path / "out"
    out.mkdir()
    reports = {c.name for c in report_app.registered_commands}
    assert reports <= set(CLI_EXPORTS), f"no masking check for report {reports - set(CLI_EXPORTS)}"
    for name, args in CLI_EXPORTS.items():
        tried("masking checks")
        _shows_no_full_value(_written(args, out), f"liucheng {name}")
    for name in ("export-log csv", "export-log file", "progress", "progress csv"):
        tried("masking checks")
        full = _written(CLI_EXPORTS[name] + ["--unmasked"], out)
        assert MOBILE in full or ID_NUMBER in full, f"liucheng {name} --unmasked masks"
    assert "138****5678" in _written(CLI_EXPORTS["export-log xes"], out)

    options = "process=id_check&group_by=contact&remarks=owner_id&all=1&field=count"
    bob, admin = world.client("bob"), world.client("admin")
    with world.svc.db() as db:
        permissions.grant(db, "manager", permissions.REPORTS_READ)
    for kind in KINDS:
        for fmt in FORMATS:
            tried("masking checks")
            url = f"/api/v1/reports/{kind}?{options}&format={fmt}"
            answer = bob.get(url)
            assert answer.status_code == 200, (url, answer.text[:300])
            _shows_no_full_value(_unpacked(answer.content), f"GET {url} by a manager")
    for kind, fmt in (("progress", "csv"), ("progress", "xlsx"), ("measures", "json")):
        text = _unpacked(admin.get(f"/api/v1/reports/{kind}?{options}&format={fmt}").content)
        assert MOBILE in text, f"an administrator does not see the {kind} {fmt} in full"
    tried("masking checks")
    page = world.session("bob").get(
        "/reports/id_check/progress?group_by=contact&remarks=owner_id&all=1")
    assert page.status_code == 200
    _shows_no_full_value(page.text, "the progress page")
    assert "138****5678" in page.text


# -- audit trail ----------------------------------------------------------------------------
def test_no_route_writes_to_the_history(world: World) -> None:
    """Routes about history, events or the audit trail only read; asking them to change
    something is 405, and the events recorded stay as they were."""
    table = routes(world)
    for route in table:
        method, path = route.split(" ", 1)
        if any(word in path for word in ("history", "events", "audit", "timeline")):
            assert method == "GET", f"{route} changes the audit trail"
    with world.svc.db() as db:
        before = db.conn.execute(sa.select(events).order_by(events.c.seq)).all()
    admin = world.client("admin")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        tried("audit trail attempts")
        answer = admin.request(method, f"/api/v1/cases/{world.case}/history",
                               json={"seq": 1, "type": "forged"})
        assert answer.status_code == 405, (method, answer.status_code)
    with world.svc.db() as db:
        assert db.conn.execute(sa.select(events).order_by(events.c.seq)).all() == before
    assert "events" in metadata.tables


Check = Callable[[World], None]
