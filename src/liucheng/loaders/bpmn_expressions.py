"""Translate the expression languages of BPMN modelers into liucheng's expression syntax.

- JUEL (Camunda 7, Activiti, Flowable): `${…}` / `#{…}` with `&& || !`, `and or not`,
  `== != < > <= >=`, `eq ne lt gt le ge`, `empty x`, `a.b`, `a[k]`, `? :`, `div mod`,
  quoted strings, `true false null`. Method calls on Java objects and the engine's own
  objects (`execution`, `task`, …) have no counterpart and are reported.
- FEEL (Camunda 8 `= …`, DMN tools): `= != < <= > >=`, `and or`, `not(x)`, strings,
  numbers, `a.b`, lists, `if … then … else …`, and a few functions (count, contains, sum,
  min, max, abs). Names with spaces, quantifiers, ranges and filters are reported.
- Python-style expressions (SpiffWorkflow) are nearly liucheng's own and are checked as is.
- Groovy, JavaScript, MVEL and Java are accepted only where the text is a plain
  comparison of names and literals that reads the same in every language; anything
  else is reported.

Every translation is parsed by `compile_expression` before it is returned, and nothing is
ever evaluated here. Errors are `UnsupportedExpression` (an `ExpressionError`).
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Mapping

from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_exprparse import ExprParser, UnsupportedExpression, quote
from liucheng.loaders.bpmn_ns import LC_EXPRESSION
from liucheng.rules.expressions import BUILTINS, compile_expression

JUEL, FEEL, PYTHON, LIUCHENG, XPATH = "juel", "feel", "python", "liucheng", "xpath"
SCRIPTING = ("groovy", "javascript", "mvel", "java")
_NEUTRAL_NODES = (ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.BoolOp,
                  ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Attribute, ast.Eq,
                  ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.BinOp, ast.Add, ast.Sub,
                  ast.Mult, ast.Div, ast.Mod)


def language_of(uri: str | None) -> str | None:
    """Classify a `language` / `scriptFormat` / `expressionLanguage` value."""
    if uri is None or not uri.strip():
        return None
    u = uri.strip().lower()
    if u == LC_EXPRESSION or u == "liucheng":
        return LIUCHENG
    for word, lang in (("feel", FEEL), ("juel", JUEL), ("xpath", XPATH), ("python", PYTHON),
                       ("groovy", "groovy"), ("javascript", "javascript"),
                       ("ecmascript", "javascript"), ("mvel", "mvel"), ("java", "java")):
        if word in u:
            return lang
    if u in ("el", "js", "uel") or u.endswith("/el"):
        return JUEL if u != "js" else "javascript"
    return u


def _whole(body: str, opener: str) -> str | None:
    """The inside of `${…}` when the whole text is one such expression."""
    if not body.startswith(opener) or not body.endswith("}"):
        return None
    inner = body[2:-1]
    depth, quote_ch = 0, ""
    for ch in inner:  # a `}` closing early means text follows an expression
        if quote_ch:
            quote_ch = "" if ch == quote_ch else quote_ch
        elif ch in "'\"":
            quote_ch = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return None
    return inner


def _checked(source: str, original: str) -> str:
    try:
        compile_expression(source)
    except ExpressionError as exc:
        raise UnsupportedExpression(f"'{original}' does not translate: {exc.message}") from None
    return source


def translate_juel(text: str, rename: Mapping[str, str] | None = None) -> str:
    body = text.strip()
    inner = _whole(body, "${") if body.startswith("$") else _whole(body, "#{")
    if inner is None:
        raise UnsupportedExpression(
            f"'{body}' is not a single JUEL expression ${{…}}",
            hint="write the whole condition inside one ${…}")
    return _checked(ExprParser(inner, "juel", rename or {}).parse(), body)


def translate_feel(text: str, rename: Mapping[str, str] | None = None) -> str:
    body = text.strip()
    inner = body[1:] if body.startswith("=") else body
    return _checked(ExprParser(inner, "feel", rename or {}).parse(), body)


def translate_python(text: str, rename: Mapping[str, str] | None = None) -> str:
    body = text.strip()
    source = _rename_python(body, rename or {})
    return _checked(source, body)


def _rename_python(source: str, rename: Mapping[str, str]) -> str:
    if not rename:
        return source
    pattern = re.compile(r"(?<![\w.'\"])(" + "|".join(map(re.escape, rename)) + r")(?![\w'\"])")
    return pattern.sub(lambda m: rename[m.group(1)], source)


def _neutral(source: str, allow_calls: bool) -> str | None:
    """`source` if it is a plain expression that reads the same in Python, Groovy and JS."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and allow_calls:
            if not (isinstance(node.func, ast.Name) and node.func.id in BUILTINS):
                return None
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "${" in node.value:
            return None
        if not isinstance(node, _NEUTRAL_NODES):
            return None
    return source


def translate_condition(text: str, language: str | None, default_language: str | None = None,
                        rename: Mapping[str, str] | None = None) -> str | None:
    """A condition in liucheng syntax; None for an empty condition (an unconditional flow).

    `language` is the condition's own `language` attribute; `default_language` the
    definitions' `expressionLanguage`, which many tools fill with the XPath default
    regardless of what they write, so it only decides between otherwise equal readings.
    """
    body = text.strip()
    if not body:
        return None
    lang = language_of(language)
    if lang is None:
        if body.startswith(("${", "#{")):
            lang = JUEL
        elif body.startswith("="):
            lang = FEEL
        else:
            weak = language_of(default_language)
            lang = weak if weak in (FEEL, JUEL, LIUCHENG, *SCRIPTING) else PYTHON
    if lang == XPATH and body.startswith(("${", "#{")):
        lang = JUEL
    if body in ("true", "false"):
        return body
    if lang == JUEL:
        return translate_juel(body, rename)
    if lang == FEEL:
        return translate_feel(body, rename)
    if lang in (PYTHON, LIUCHENG):
        return translate_python(body, rename) if lang == PYTHON else _checked(body, body)
    if lang in SCRIPTING:
        simple = re.sub(r"^\s*return\s+|;\s*$", "", body).strip()
        if _neutral(simple, allow_calls=False):
            return translate_python(simple, rename)
        raise UnsupportedExpression(
            f"{lang} condition '{body}' is not supported: only plain comparisons of variables "
            "and literals are translated", hint="rewrite it as a JUEL, FEEL or liucheng condition")
    raise UnsupportedExpression(f"condition language '{language}' is not supported",
                                hint="use JUEL ${…}, FEEL = … or liucheng expressions")


def translate_value(text: str, rename: Mapping[str, str] | None = None) -> str:
    """An attribute that is a literal (`kermit`) or one expression (`${starter}`, `= x`)."""
    body = text.strip()
    if body.startswith(("${", "#{")):
        return translate_juel(body, rename)
    if body.startswith("="):
        return translate_feel(body, rename)
    if "${" in body or "#{" in body:
        raise UnsupportedExpression(f"'{body}' mixes text and expressions",
                                    hint="use a single ${…} expression or plain text")
    return quote(body)


_ASSIGN = re.compile(r"^(?:(?:var|let|const|def)\s+)?([A-Za-z_]\w*)\s*([-+*/]?=)(?!=)\s*(.+)$",
                     re.S)
_LOGGING = re.compile(r"^(?:System\.out\.println|System\.out\.print|console\.log|print|println)"
                      r"\s*(?:\(.*\)|\s.*)$", re.S)
_SET_VARIABLE = re.compile(
    r"^(?:execution|processInstance|kcontext)\.setVariable\(\s*(['\"])(\w+)\1\s*,\s*(.+)\)$", re.S)


def script_assignments(script: str, script_format: str | None, result_variable: str | None = None,
                       rename: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """The variable assignments a script task performs, when it is recognisably that simple.

    Accepted: JUEL/FEEL with a result variable; lines of `name = expr`, `name += expr`
    (also with `var`/`let`/`def`), `execution.setVariable("name", expr)` (also
    `kcontext.setVariable`); comments and logging lines are skipped. Raises
    UnsupportedExpression naming the first statement that is anything else.
    """
    fmt = language_of(script_format)
    body = script.strip()
    rename = rename or {}
    if fmt in (JUEL, FEEL):
        expr = translate_juel(body, rename) if fmt == JUEL else translate_feel(body, rename)
        if result_variable:
            return ((result_variable, expr),)
        return ()  # a JUEL value without a method call has no effect
    if fmt not in (None, PYTHON, *SCRIPTING):
        raise UnsupportedExpression(f"script format '{script_format}' is not supported")
    out: list[tuple[str, str]] = []
    statements = [s.strip() for raw in body.splitlines() for s in _split_statements(raw)]
    # Comments and logging lines (println, console.log, print) change no case data.
    statements = [s for s in statements if s and not s.startswith(("#", "//"))
                  and not _LOGGING.match(s)]
    allow_calls = fmt in (None, PYTHON)
    for number, stmt in enumerate(statements, 1):
        target, expr = _statement(stmt, allow_calls, result_variable, len(statements) == 1)
        if target is None:
            where = f"statement {number}" if len(statements) > 1 else "the script"
            raise UnsupportedExpression(
                f"{where} ('{_short(stmt)}') is not a simple assignment",
                hint="only 'name = expression' lines are translated; use a service task "
                     "with a handler for real code")
        out.append((target, translate_python(expr, rename)))
    return tuple(out)


def _statement(stmt: str, allow_calls: bool, result_variable: str | None,
               only: bool) -> tuple[str | None, str]:
    match = _SET_VARIABLE.match(stmt)
    if match:
        name, expr = match.group(2), match.group(3).strip()
        return (name, expr) if _neutral(expr, allow_calls) else (None, "")
    match = _ASSIGN.match(stmt)
    if match:
        name, op, expr = match.group(1), match.group(2), match.group(3).strip()
        if keyword.iskeyword(name) or not _neutral(expr, allow_calls):
            return None, ""
        if op != "=":
            simple = re.fullmatch(r"[\w.]+", expr) is not None
            expr = f"{name} {op[0]} {expr if simple else f'({expr})'}"
        return name, expr
    if result_variable and only and _neutral(stmt, allow_calls):
        return result_variable, stmt
    return None, ""


def _split_statements(raw: str) -> list[str]:
    if "'" in raw or '"' in raw:
        return [raw.rstrip().removesuffix(";")]
    return raw.split(";")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["FEEL", "JUEL", "PYTHON", "UnsupportedExpression", "language_of",
           "script_assignments", "translate_condition", "translate_feel", "translate_juel",
           "translate_python", "translate_value"]
