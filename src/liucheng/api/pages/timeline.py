"""The case timeline's entries for the human-task actions: which events show, and the line
under each that says to what step or to whom (in zh-CN and English)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from liucheng.api.pages.labels import Labels
from liucheng.model import Text

ACTION_EVENTS = ("task_returned", "task_withdrawn", "task_transferred", "task_delegated",
                 "task_resolved", "signers_added", "signer_removed", "task_urged", "cc_sent",
                 "comment_added", "supplement_requested", "supplement_received")
POSITIONS = {"before": ("前加签", "to sign before"), "after": ("后加签", "to sign after"),
             "alongside": ("并加签", "to sign alongside")}


def _people(labels: Labels, users: Iterable[Any]) -> tuple[str, str]:
    names = [labels.person(str(u)) for u in users if u]
    return "、".join(names), ", ".join(names)


def event_detail(entry: dict[str, Any], labels: Labels, definition_id: str,
                 case: dict[str, Any] | None = None) -> Text | str | None:
    """What the event did, for the line under it; None when the heading says it all."""
    kind, data = entry["type"], entry.get("data") or {}
    if kind == "task_returned":
        step = labels.step(definition_id, data.get("to"))
        return Text(f"退回至“{step.get('zh')}”", f"back to “{step.get('en')}”")
    if kind in ("task_transferred", "task_delegated"):
        zh, en = _people(labels, [data.get("to")])
        return Text(f"{'转给' if kind == 'task_transferred' else '委派给'} {zh}", f"to {en}")
    if kind == "task_resolved":
        zh, en = _people(labels, [data.get("owner")])
        return Text(f"办毕交回 {zh}", f"done, back to {en}")
    if kind == "signers_added":
        zh, en = _people(labels, data.get("users") or [])
        pos_zh, pos_en = POSITIONS.get(str(data.get("position")), ("加签", "to sign"))
        return Text(f"{pos_zh}：{zh}", f"{en} {pos_en}")
    if kind == "signer_removed":
        zh, en = _people(labels, [data.get("user")])
        return Text(f"减签：{zh}", f"removed {en}")
    if kind in ("task_urged", "cc_sent"):
        zh, en = _people(labels, data.get("to" if kind == "task_urged" else "users") or [])
        if not zh:
            return None
        return Text(f"{'催办' if kind == 'task_urged' else '抄送'} {zh}",
                    f"{'reminded' if kind == 'task_urged' else 'copied to'} {en}")
    if kind == "comment_added":
        return str(data.get("text") or "") or None
    if kind in ("supplement_requested", "supplement_received"):
        item = data.get("item")
        if item is None and case is not None:
            found = (case["state"].get("supplements") or {}).get(data.get("supplement"), {})
            item = found.get("item")
        note = data.get("note")
        return Text(f"{'缺' if kind == 'supplement_requested' else '收到'}：{item or ''}"
                    + (f"（{note}）" if note else ""),
                    f"{'missing' if kind == 'supplement_requested' else 'received'}: "
                    f"{item or ''}" + (f" ({note})" if note else ""))
    return None
