"""XML attacks against every XML reader — BPMN import, DMN import, XES log import — and
the REST API's validate route: external entities (files, URLs, parameter entities),
entity expansion (billion laughs, quadratic blow-up), deep nesting and files past the size
limit. Each is refused with a LiuchengError, reads no file and opens no connection; no
entity text ever reaches a model. An attack that makes a reader work for more than 30 s
(`security_kit.SLOW`) is reported as a hang — a hang detector, not a speed check.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from pathlib import Path

import pytest
from security_kit import SLOW, in_child, tried
from webworld import World

from liucheng.analytics import AnalysisSpace
from liucheng.errors import LiuchengError
from liucheng.loaders.bpmn_xml import MAX_BYTES, load_bpmn
from liucheng.rules.dmn import read_dmn

SECRET = "liucheng-xxe-secret-7f3a"
BPMN_NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
DMN_NS = 'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"'
XES_NS = 'xmlns="http://www.xes-standard.org/"'


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xxe") / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port that records any connection made to it (an entity fetched by URL)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    seen.append(conn.recv(1024))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(timeout=2)
    server.close()


def _laughs(levels: int = 10) -> str:
    entities = ['<!ENTITY l0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, levels)]
    return "".join(entities)


def documents(secret: Path, port: int) -> dict[str, str]:
    """name → DOCTYPE payload and the entity reference that would use it."""
    return {
        "file entity": (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>', "&x;"),
        "url entity": (f'<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>', "&x;"),
        "parameter entity": (f'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p">'
                             " %p;]>", ""),
        "external dtd": (f'<!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/dtd">', ""),
        "billion laughs": (f"<!DOCTYPE r [{_laughs()}]>", "&l9;"),
        "quadratic blow-up": ('<!DOCTYPE r [<!ENTITY a "' + "a" * 50_000 + '">]>', "&a;" * 2000),
        "utf-16 doctype": ("UTF16", "&x;"),
    }  # type: ignore[return-value]


def _bpmn(doctype: str, ref: str) -> str:
    return (f'<?xml version="1.0"?>{doctype}<definitions {BPMN_NS} id="d">'
            f'<process id="p" isExecutable="true"><startEvent id="s" name="{ref}"/>'
            '<sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>'
            "</process></definitions>")


def _dmn(doctype: str, ref: str) -> str:
    return (f'<?xml version="1.0"?>{doctype}<definitions {DMN_NS} id="d" name="{ref}" '
            'namespace="x"></definitions>')


def _xes(doctype: str, ref: str) -> str:
    return (f'<?xml version="1.0"?>{doctype}<log {XES_NS}><trace>'
            '<string key="concept:name" value="c"/><event>'
            f'<string key="concept:name" value="{ref}"/>'
            '<date key="time:timestamp" value="2026-03-02T09:00:00Z"/></event></trace></log>')


def _encode(text: str, doctype: str, secret: Path) -> bytes:
    if doctype == "UTF16":
        dtd = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        text = text.replace("UTF16", dtd).replace('<?xml version="1.0"?>',
                                                  '<?xml version="1.0" encoding="UTF-16"?>')
        return text.encode("utf-16")
    return text.encode("utf-8")


def _import_xes(data: bytes, folder: Path) -> object:
    path = folder / "attack.xes"
    path.write_bytes(data)
    space = AnalysisSpace()
    try:
        return space.import_log(path, now=datetime(2026, 3, 2, tzinfo=UTC))
    finally:
        space.close()


READERS: dict[str, tuple[Callable[[str, str], str], Callable[[bytes, Path], object]]] = {
    "bpmn": (_bpmn, lambda data, folder: load_bpmn(data, "attack.bpmn")),
    "dmn": (_dmn, lambda data, folder: read_dmn(data, "attack.dmn")),
    "xes": (_xes, _import_xes),
}
ATTACKS = ["file entity", "url entity", "parameter entity", "external dtd", "billion laughs",
           "quadratic blow-up", "utf-16 doctype"]


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("attack", ATTACKS)
def test_entity_attacks_are_refused(reader: str, attack: str, secret_file: Path,
                                            listener: tuple[int, list[bytes]],
                                            tmp_path: Path) -> None:
    tried("XML attacks")
    port, seen = listener
    before = len(seen)
    doctype, ref = documents(secret_file, port)[attack]
    build, read = READERS[reader]
    data = _encode(build(doctype, ref), doctype, secret_file)

    def attempt() -> str:
        try:
            result = read(data, tmp_path)
        except LiuchengError as exc:
            assert SECRET not in str(exc)
            return "refused"
        assert SECRET not in repr(result), "the file's contents reached the model"
        return "read without the entity"

    kind, what = in_child(attempt)
    allowed = {"'refused'"}
    if (reader, attack) == ("xes", "external dtd"):  # a DTD named but never fetched is inert
        allowed.add("'read without the entity'")
    assert kind == "ok" and what in allowed, f"{reader} / {attack}: {kind} {what}"
    time.sleep(0.05)
    assert len(seen) == before, f"{reader} / {attack} opened a connection: {seen[before:]}"


def _deep(tag: str, depth: int) -> str:
    return f"<{tag}>" * depth + f"</{tag}>" * depth


@pytest.mark.parametrize("reader", sorted(READERS))
def test_deep_nesting_and_oversized_files_are_refused(reader: str,
                                                              tmp_path: Path) -> None:
    build, read = READERS[reader]
    deep = build("", "x").replace("</definitions>", _deep("x", 100_000) + "</definitions>") \
        .replace("</log>", _deep("x", 100_000) + "</log>")
    cases = {"deep": deep.encode("utf-8")}
    if reader != "xes":  # event logs may be large; models and tables are refused past 5 MB
        cases["oversized"] = build("", "x").replace(
            "</definitions>", "<!--" + "x" * (MAX_BYTES + 10) + "--></definitions>").encode()
    for name, data in cases.items():
        tried("XML attacks")

        def attempt(data: bytes = data) -> str:
            try:
                read(data, tmp_path)
            except LiuchengError:
                return "refused"
            return "read"

        kind, what = in_child(attempt)
        assert (kind, what) == ("ok", "'refused'"), f"{reader} / {name}: {kind} {what}"


def test_the_validate_route_refuses_xml_attacks(world: World, secret_file: Path,
                                                listener: tuple[int, list[bytes]]) -> None:
    """Any staff member may validate a model: the API must refuse the attacks too."""
    port, seen = listener
    before = len(seen)
    client = world.client("alice")
    for attack in ATTACKS[:-1]:
        tried("XML attacks")
        doctype, ref = documents(secret_file, port)[attack]
        pool = ThreadPoolExecutor(1)
        sent = pool.submit(client.post, "/api/v1/definitions/validate",
                           json={"source": _bpmn(doctype, ref), "format": "bpmn"})
        try:
            answer = sent.result(timeout=SLOW)
        except FutureTimeout:
            pytest.fail(f"the validate route hung on {attack} for {SLOW:.0f} s")
        finally:
            pool.shutdown(wait=False)
        assert answer.status_code == 422, (attack, answer.status_code, answer.text[:200])
        assert SECRET not in answer.text
    assert len(seen) == before
