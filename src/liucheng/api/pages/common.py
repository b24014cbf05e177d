"""Rendering pages: Jinja2 templates from liucheng/web/templates, the zh-CN/English
catalogues from liucheng/web/locale, language negotiation, and small page helpers.

The language is, in order: the `lc_lang` cookie (set by the switch on every page), the
account's saved locale, the browser's Accept-Language, the installation default.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from liucheng.api.pages.values import format_value
from liucheng.api.services import services
from liucheng.model import Text
from liucheng.org.permissions import Principal
from liucheng.rules.forms import group_fields

LANGS = ("zh-CN", "en")
LANG_COOKIE = "lc_lang"
STATUS_CLASSES = {"active": "info", "open": "info", "completed": "ok", "cancelled": "muted",
                  "terminated": "muted"}


@dataclass
class Web:
    env: Environment
    catalogs: dict[str, dict[str, str]]
    tz: ZoneInfo


def build(web_dir: Path, timezone: str) -> Web:
    env = Environment(loader=FileSystemLoader(web_dir / "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    catalogs = {lang: json.loads((web_dir / "locale" / f"{lang}.json").read_text("utf-8"))
                for lang in LANGS}
    env.globals["group_fields"] = group_fields
    return Web(env, catalogs, ZoneInfo(timezone))


def web(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


def pick_language(header: str) -> str | None:
    """The best of LANGS for an Accept-Language header (None when nothing matches)."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        tag = tag.strip().lower()
        code = "zh-CN" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if code and q > 0:
            choices.append((-q, index, code))
    return sorted(choices)[0][2] if choices else None


def negotiate(request: Request, principal: Principal | None) -> str:
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGS:
        return str(cookie)
    if principal is not None and principal.locale in LANGS:
        return str(principal.locale)
    found = pick_language(request.headers.get("accept-language", ""))
    return found or services(request).settings.default_locale


def text_lang(request: Request, principal: Principal | None) -> str:
    """'en' or 'zh': the language for form messages and `Text.get`."""
    return "en" if negotiate(request, principal) == "en" else "zh"


class Translator:
    def __init__(self, catalogs: dict[str, dict[str, str]], lang: str) -> None:
        self.own = catalogs[lang]
        self.fallback = catalogs["zh-CN"]

    def __call__(self, key: str, **params: Any) -> str:
        text = str(self.own.get(key) or self.fallback.get(key) or key)
        return text.format(**params) if params else text


def safe_next(target: str | None, default: str = "/inbox") -> str:
    """Only local paths: no scheme, no host, no protocol-relative '//' (open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def form_data(request: Request) -> dict[str, Any]:
    """Posted fields: one value each, lists for repeated names (checkbox groups)."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = values if len(values) > 1 else (values[0] if values else "")
    return out


def nest_groups(data: dict[str, Any], fields: Iterable[Any]) -> dict[str, Any]:
    """Rows of the repeating groups, posted as `<group>.<row>.<field>`, as lists of entries
    (in row order; rows left empty dropped); the other values unchanged."""
    out = dict(data)
    for f in fields:
        if f.type != "group":
            continue
        rows: dict[int, dict[str, Any]] = {}
        for key in [k for k in out if k.startswith(f"{f.id}.")]:
            row, _, sub = key[len(f.id) + 1:].partition(".")
            value = out.pop(key)
            if row.isdigit() and sub:
                rows.setdefault(int(row), {})[sub] = value
        entries = [{k: v for k, v in row.items() if v not in ("", None)}
                   for _, row in sorted(rows.items())]
        if rows or f.id in out:
            out[f.id] = [e for e in entries if e] or out.get(f.id) or []
    return out


def render(request: Request, principal: Principal | None, template: str, *,
           status: int = 200, **context: Any) -> HTMLResponse:
    w = web(request)
    lang = negotiate(request, principal)
    t = Translator(w.catalogs, lang)

    def txt(value: Any) -> str:
        if isinstance(value, Text):
            return value.get(lang)
        if isinstance(value, dict) and ("zh" in value or "en" in value):
            return str(Text(value.get("zh", ""), value.get("en", "")).get(lang))
        return "" if value is None else str(value)

    def when(value: Any) -> str:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return str(value)
        if not isinstance(value, datetime):
            return ""
        return value.astimezone(w.tz).strftime("%Y-%m-%d %H:%M")

    def show(value: Any, spec: Any = None) -> str:
        return format_value(value, spec, txt=txt, t=t, tz=w.tz,
                            sep=", " if lang == "en" else "、")

    def can(permission: str) -> bool:
        return principal is not None and principal.has(permission)

    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    values: dict[str, Any] = {"notice": None, "section": "", "title": ""}
    values.update(context)
    values.update(request=request, principal=principal, lang=lang, t=t, txt=txt, when=when,
                  show=show,
                  can=can, csrf=principal.csrf_token if principal else None,
                  here=quote(here, safe=""), status_class=STATUS_CLASSES)
    html = w.env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status)
