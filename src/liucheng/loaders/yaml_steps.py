"""Settings of user steps in the YAML format: roles, form fields, checklists, checks,
countersign, and lists of step ids. Mixed into the YAML compiler, which provides `problem`.
"""

from __future__ import annotations

import difflib
from typing import Any

from liucheng.loaders.yaml_source import Node
from liucheng.model import Countersign, DocumentItem, FormField, Text
from liucheng.rules.forms import SETTINGS

FIELD_KEYS = {"id", "type", "label", "required", "default"}


def text(value: Any) -> Text:
    """`name: 审件` or `name: {zh: 审件, en: Document review}`."""
    if value is None:
        return Text()
    if isinstance(value, dict):
        return Text(zh=str(value.get("zh") or value.get("zh-CN") or value.get("zh_CN") or ""),
                    en=str(value.get("en") or ""))
    return Text(zh=str(value))


def suggest(word: str, options: set[str] | dict[str, Any]) -> str | None:
    close = difflib.get_close_matches(word, sorted(options), n=1)
    return f"did you mean '{close[0]}'?" if close else None


class UserStepSettings:
    """Parsers for the settings of a user step; each reports problems and returns a value."""

    def problem(self, message: str, node: Any = None, key: str | None = None,
                element: str | None = None, hint: str | None = None) -> None:
        raise NotImplementedError

    def documents(self, node: Node, sid: str) -> tuple[DocumentItem, ...]:
        """`documents: [{id, label, required: true|<expression>, scan, check}]`."""
        items = node.get("documents")
        if items is None:
            return ()
        if not isinstance(items, list):
            self.problem("'documents' must be a list of checklist items", node, "documents", sid)
            return ()
        out: list[DocumentItem] = []
        keys = {"id", "label", "required", "scan", "check"}
        for item in items:
            if not isinstance(item, Node) or not isinstance(item.get("id"), str):
                self.problem("each document needs an 'id'", item if isinstance(item, Node)
                             else node, element=sid)
                continue
            for key in item:
                if key not in keys:
                    self.problem(f"unknown key '{key}' in document '{item['id']}'", item, key,
                                 sid, suggest(key, keys))
            required = item.get("required", True)
            out.append(DocumentItem(
                id=item["id"], label=text(item.get("label")) or Text(item["id"]),
                required=required if isinstance(required, bool) else str(required),
                scan=bool(item.get("scan", False)), check=text(item.get("check")),
                line=item.line))
        return tuple(out)

    def checks(self, node: Node, sid: str) -> tuple[dict[str, Any], ...]:
        from liucheng.errors import ModelError as _ModelError
        from liucheng.rules.validators import parse_check

        items = node.get("checks")
        if items is None:
            return ()
        if not isinstance(items, list):
            self.problem("'checks' must be a list such as [{same: [a.name, b.name]}]", node,
                         "checks", sid)
            return ()
        for i, spec in enumerate(items, 1):
            try:
                parse_check(spec, where=f"check {i}")
            except _ModelError as exc:
                self.problem(f"check {i}: {exc.problems[0].message}",
                             spec if isinstance(spec, Node) else node, element=sid)
        return tuple(dict(spec) for spec in items if isinstance(spec, dict))

    def id_list(self, node: Node, key: str, sid: str) -> tuple[str, ...]:
        value = node.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.problem(f"'{key}' must be a step id or a list of step ids", node, key, sid)
        return ()

    def countersign(self, node: Node, sid: str) -> Countersign | None:
        """`countersign: all` or `{mode: ratio, ratio: 0.6, signers: reviewers, veto: false}`."""
        value = node.get("countersign")
        if value is None:
            return None
        if isinstance(value, str):
            value = {"mode": value}
        if not isinstance(value, dict):
            self.problem("'countersign' must be a mode (all, any, sequential, ratio) or a mapping",
                         node, "countersign", sid)
            return None
        for key in value:
            if key not in {"mode", "ratio", "signers", "veto"}:
                self.problem(f"unknown key '{key}' in countersign", node, "countersign", sid,
                             suggest(str(key), {"mode", "ratio", "signers", "veto"}))
        try:
            ratio = float(value.get("ratio", 1.0))
        except (TypeError, ValueError):
            self.problem("countersign ratio must be a number such as 0.6", node, "countersign", sid)
            ratio = 1.0
        mode = str(value.get("mode", "ratio" if "ratio" in value else "all"))
        signers = value.get("signers")
        return Countersign(mode=mode, ratio=ratio, veto=bool(value.get("veto", False)),
                           signers=None if signers is None else str(signers))

    def roles(self, node: Node, sid: str) -> tuple[str, ...]:
        """`role: finance` or `roles: [finance, sales_manager]`."""
        value = node.get("roles", node.get("role"))
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.problem("'roles' must be a role id or a list of role ids", node, "roles", sid)
        return ()

    def form(self, fields: Any, sid: str) -> tuple[FormField, ...]:
        if fields is None:
            return ()
        if not isinstance(fields, list):
            self.problem("form must be a list of fields", None, element=sid)
            return ()
        out: list[FormField] = []
        for f in fields:
            if not isinstance(f, Node) or not isinstance(f.get("id"), str):
                self.problem("each form field needs an 'id'", f if isinstance(f, Node) else None,
                             element=sid)
                continue
            for key in f:
                if key not in FIELD_KEYS | SETTINGS:
                    self.problem(f"unknown key '{key}' for field '{f['id']}'", f, key, sid,
                                 suggest(key, FIELD_KEYS | SETTINGS))
            out.append(FormField(
                id=f["id"], type=str(f.get("type", "text")), label=text(f.get("label")),
                required=bool(f.get("required", False)), default=f.get("default"),
                options={k: v for k, v in f.items() if k not in FIELD_KEYS}, line=f.line,
            ))
        return tuple(out)
