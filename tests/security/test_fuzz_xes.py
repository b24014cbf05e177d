"""Property-based fuzzing of event-log import (XES, gzip'd XES and CSV) into an
AnalysisSpace: random bytes, damaged logs and generated logs with any attribute types and
values import or are refused with a LiuchengError (ValidationError, NotFoundError, …) —
never another exception.
"""

from __future__ import annotations

import gzip
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

from hypothesis import given
from hypothesis import strategies as st
from security_kit import FUZZ, isolated, quick, tried

from liucheng.analytics import AnalysisSpace
from liucheng.errors import LiuchengError

NOW = datetime(2026, 3, 2, tzinfo=UTC)
SEED = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <string key="concept:name" value="leave"/>
  <trace>
    <string key="concept:name" value="case-1"/>
    <event><string key="concept:name" value="申请"/><string key="org:resource" value="wang"/>
      <date key="time:timestamp" value="2026-03-02T09:00:00+08:00"/>
      <string key="lifecycle:transition" value="complete"/></event>
    <event><string key="concept:name" value="审批"/><string key="org:resource" value="li"/>
      <date key="time:timestamp" value="2026-03-02T10:00:00+08:00"/></event>
  </trace>
</log>
"""
CSV = ("case_id,activity,timestamp,resource\n"
       "1,申请,2026-03-02T09:00:00+08:00,wang\n1,审批,2026-03-02T10:00:00+08:00,li\n")


SPACE = AnalysisSpace()  # made once; imports replace the log 'fuzz' each time


def _import(data: bytes, name: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            SPACE.import_log(path, now=NOW, key="fuzz", replace=True)
            SPACE.logs()
        except LiuchengError:
            return "refused"
    return "imported"


def _check(label: str, data: bytes, name: str) -> None:
    tried(label, (name, data))
    with quick():
        _import(data, name)


def test_the_seeds_import() -> None:
    assert _import(SEED.encode(), "leave.xes") == "imported"
    assert _import(CSV.encode(), "leave.csv") == "imported"


@isolated
@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["log.xes", "log.xes.gz", "log.csv",
                                                 "log.csv.gz", "log.xml", "log.txt"]))
def test_random_bytes(data: bytes, name: str) -> None:
    _check("XES/CSV import: random bytes", data, name)


@isolated
@FUZZ
@given(st.sampled_from([(SEED, "log.xes"), (CSV, "log.csv")]), st.data())
def test_damaged_logs(seed: tuple[str, str], data: st.DataObject) -> None:
    text, name = seed
    raw = text.encode("utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        cut = data.draw(st.integers(0, 30))
        raw = raw[:at] + data.draw(st.binary(max_size=6) | st.sampled_from(
            [b"<", b"&", b"\xff", b"\x00", b"</trace>", b"<trace>", b'"', b",", b"\n",
             b"\r", b"\xe4\xb8", b"<event/>", b"99999999999999999999"])) + raw[at + cut:]
    if data.draw(st.booleans()):  # compressed, and perhaps cut short
        packed = gzip.compress(raw)
        raw = packed[:data.draw(st.integers(1, len(packed)))]
        name += ".gz"
    _check("XES/CSV import: damaged logs", raw, name)


attribute_values = st.text(max_size=12) | st.sampled_from([
    "", "2026-13-45T99:00", "2026-03-02", "1e99999", "nan", "-inf", "true", "9" * 5000,
    "2026-03-02T09:00:00+25:00", "0000-00-00", "\x00"])


@isolated
@FUZZ
@given(st.lists(st.lists(st.tuples(
    st.sampled_from(["string", "date", "int", "float", "boolean", "id", "list", "container",
                     "unknown"]),
    st.sampled_from(["concept:name", "time:timestamp", "org:resource", "org:role",
                     "lifecycle:transition", "concept:instance", "cost", ""]),
    attribute_values), max_size=5), max_size=4), st.booleans())
def test_generated_logs_with_any_attributes(traces: list[list[tuple[str, str, str]]],
                                            nested: bool) -> None:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<log>']
    for number, attrs in enumerate(traces):
        parts.append(f'<trace><string key="concept:name" value="c{number}"/>')
        for kind, key, value in attrs:
            clean = "".join(ch for ch in value if ch.isprintable())
            inner = "<string key='x' value='y'/>" if nested else ""
            parts.append(f"<event><{kind} key={quoteattr(key)} value={quoteattr(clean)}>"
                         f"{inner}</{kind}></event>")
        parts.append("</trace>")
    parts.append("</log>")
    _check("XES import: generated logs", "".join(parts).encode("utf-8"), "generated.xes")
