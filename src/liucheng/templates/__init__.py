"""The shipped process templates of the process catalogue,, as YAML files read as package data.

    for info in list_templates():
        engine.deploy(template_source(info.name), source_name=info.file)

Each template is one `<name>.yaml` beside this module; its name is the file name and its
process key (`process:` at the top). See docs/templates.md for what each one models.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from liucheng.errors import NotFoundError

PACKAGE = "liucheng.templates"
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The order the catalogue lists them in; a template file not listed here comes after.
ORDER = ("sales_order", "mortgage_loan", "retiree_death", "survivor_entitlement",
         "pension_payment", "vehicle_loan", "operating_room", "expense_claim",
         "leave_request", "engineering_change")


@dataclass(frozen=True)
class TemplateInfo:
    """What a template is, read from its header: name, process key, titles, description."""

    name: str
    key: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    category: str

    @property
    def file(self) -> str:
        return f"{self.name}.yaml"

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "key": self.key, "title_zh": self.title_zh,
                "title_en": self.title_en, "description_zh": self.description_zh,
                "description_en": self.description_en, "category": self.category,
                "file": self.file}


def _names() -> list[str]:
    found = {entry.name[:-len(".yaml")] for entry in resources.files(PACKAGE).iterdir()
             if entry.name.endswith(".yaml")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def template_source(name: str) -> str:
    """The YAML text of template `name` (e.g. 'mortgage_loan'); NotFoundError if unknown."""
    names = _names()
    if name not in names:
        raise NotFoundError(f"no template '{name}'",
                            hint="see 'liucheng templates' for the names: " + ", ".join(names))
    return resources.files(PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return " ".join(str(value.get(lang) or "").split())
    return " ".join(str(value).split()) if value is not None and lang == "zh" else ""


@cache
def _info(name: str) -> TemplateInfo:
    data = yaml.load(template_source(name), Loader=_LOADER)
    return TemplateInfo(
        name=name, key=str(data["process"]),
        title_zh=_text(data.get("name"), "zh"), title_en=_text(data.get("name"), "en"),
        description_zh=_text(data.get("description"), "zh"),
        description_en=_text(data.get("description"), "en"),
        category=str(data.get("category") or ""),
    )


def list_templates() -> list[TemplateInfo]:
    """Every shipped template, in the catalogue's order."""
    return [_info(name) for name in _names()]


__all__ = ["TemplateInfo", "list_templates", "template_source"]
