"""Known Python sandbox-escape and denial-of-service payloads against the expression
evaluator. Each must be refused with ExpressionError — when compiled or when evaluated —
quickly, and without a side effect: no file written, no process run, the evaluator's
function table and the environment unchanged.

The corpus follows the published escapes of `eval`-based sandboxes: dunder chains to
`object.__subclasses__()`, frame and generator walks, format-string attribute reads,
lambdas and comprehensions, `__import__` / `getattr` / `vars` games, encodings that hide
names, and inputs that make the interpreter do huge amounts of work (exponents, string and
list amplification, formatting widths, deep nesting, huge numbers).
"""

from __future__ import annotations

import ast
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from security_kit import in_child, tried

from liucheng.errors import ExpressionError
from liucheng.rules import expressions
from liucheng.rules.expressions import BUILTINS, Missing, compile_expression, to_json

SENTINEL = "/tmp/liucheng-sandbox-sentinel"
VARIABLES = {"s": "abc", "n": 7, "l": [1, 2, 3], "d": {"k": "v"}, "x": Decimal("1.5"),
             "owner": {"name": "张三", "id_number": "11010519491231002X"}}

ESCAPES = [
    # dunder chains to object and its subclasses
    "().__class__.__bases__[0].__subclasses__()",
    "''.__class__.__mro__[1].__subclasses__()",
    "[].__class__.__base__.__subclasses__()",
    "s.__class__.__mro__[-1].__subclasses__()",
    "d.__class__",
    "l.__len__()",
    "owner.__dict__",
    "n.real.__class__",
    "(1).__class__.__base__",
    "x.__class__.__init__.__globals__",
    "BUILTINS.__globals__",
    "__builtins__['eval']('1')",
    # imports, code execution, files, processes
    "__import__('os').system('touch " + SENTINEL + "')",
    "__import__('subprocess').call(['touch', '" + SENTINEL + "'])",
    "import os",
    "exec(\"open('" + SENTINEL + "', 'w')\")",
    "eval(\"__import__('os')\")",
    "compile('1', 'x', 'eval')",
    "open('" + SENTINEL + "', 'w').write('x')",
    "open('/etc/passwd').read()",
    "globals()",
    "locals()",
    "vars()",
    "dir()",
    "breakpoint()",
    "input()",
    "help()",
    "exit()",
    "quit()",
    "type('X', (), {})",
    "object()",
    "memoryview(b'x')",
    "bytearray(10)",
    "super()",
    "classmethod(len)",
    "property(len)",
    # getattr and friends, also through the whitelisted functions
    "getattr(s, '__class__')",
    "getattr(len, '__self__')",
    "setattr(d, 'k', 1)",
    "delattr(d, 'k')",
    "hasattr(s, 'upper')",
    "len.__self__",
    "len.__self__.__import__('os')",
    "str.__class__",
    "str(s).__class__",
    "get(owner, 'name').__class__",
    "lower.__globals__",
    "round.__code__",
    "min.__closure__",
    "s.upper()",
    "s.format",
    "s.join(l)",
    "d.items()",
    "d.get('k')",
    "l.append(4)",
    "l.pop()",
    "l.clear()",
    # format-string tricks
    "'{0.__class__}'.format(s)",
    "'{.__class__.__mro__}'.format(1)",
    "f'{s.__class__}'",
    "f'{__import__(\"os\").system(\"touch " + SENTINEL + "\")}'",
    "'%s' % (s.__class__,)",
    "'{x}'.format_map(d)",
    "'%(k)s' % d.__class__",
    # lambdas, comprehensions, generators, frames, walrus, starred
    "(lambda: 1)()",
    "(lambda f: f(f))(lambda f: f(f))",
    "[x for x in l]",
    "{x: 1 for x in l}",
    "{x for x in l}",
    "(x for x in l)",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "(y := 1)",
    "[*l]",
    "{**d}",
    "len(*l)",
    "max(l, key=len)",
    "sum(l, start=0)",
    "(i for i in ()).gi_frame",
    "(i for i in ()).gi_frame.f_back.f_globals",
    "l[::-1]",
    "s[0:1]",
    "await x",
    "yield 1",
    "del d",
    "d['k'] = 1",
    "assert False",
    "raise Exception",
    "true and __import__('os')",
    # hidden names and odd characters
    "\\x5f\\x5fimport\\x5f\\x5f('os')",
    "ｅｖａｌ('1')",
    "ｌｅｎ.__self__",
    "_\u200b_import__('os')",
    "s\u0000.upper",
    "${Runtime.exec('id')}",
    "#{T(java.lang.Runtime).getRuntime().exec('id')}",
    "{{7*7}}.__class__",
    "<script>alert(1)</script>",
    "1; __import__('os')",
    "1\n__import__('os')",
    # denial of service: work, memory, nesting
    "9 ** 9 ** 9",
    "2 ** 100000000",
    "pow(10, 100000000)",
    "10 ** 10 ** 10",
    "'a' * 10 ** 10",
    "'a' * 1000000000",
    "[0] * 1000000000",
    "'a' * 100000 * 100000",
    "[[0] * 99999] * 99999",
    "[[0] * 99999] * 99999 == [[0] * 99999] * 99999",
    "[0] * 99998 + [1] in [[0] * 99999] * 99999",
    "max([[0] * 99999] * 99999)",
    "str([[0] * 99999] * 99999)",
    "len(str([[0] * 50000] * 50000))",
    "'%999999999d' % 1",
    "'%.999999999f' % 1",
    "'%*d' % (999999999, 1)",
    "'%s' * 99999 % tuple(l)",
    "int(decimal('1e100000000'))",
    "int(decimal('1e999999999999'))",
    "round(decimal('1e100000000'))",
    "round(5, -999999999)",
    "round(n, 999999999)",
    "int('9' * 4000) * int('9' * 4000) * int('9' * 4000)",
    "str(int('9' * 4000) * int('9' * 4000))",
    "decimal('1e999999999') * decimal('1e999999999')",
    "(" * 5000 + "1" + ")" * 5000,
    "-" * 100000 + "1",
    "not " * 20000 + "true",
    "[" * 2000 + "]" * 2000,
    "{'a': " * 1000 + "1" + "}" * 1000,
    "1" + " + 1" * 3000,
    "x" + ".a" * 5000,
    "'" + "a" * 100000 + "'",
    "1" * 100000,
]


@pytest.fixture(autouse=True)
def _no_sentinel() -> None:
    Path(SENTINEL).unlink(missing_ok=True)


def _attempt(payload: str) -> str:
    try:
        value = compile_expression(payload).evaluate(VARIABLES)
        to_json(value)  # a result must also be storable as JSON
    except ExpressionError as exc:
        return f"refused: {exc.message[:100]}"
    raise AssertionError(f"evaluated to {type(value).__name__}")


@pytest.mark.parametrize("payload", ESCAPES, ids=[f"p{i:03d}" for i in range(len(ESCAPES))])
def test_escape_is_refused_quickly_without_side_effect(payload: str) -> None:
    tried("sandbox payloads")
    kind, what = in_child(lambda: _attempt(payload))  # time- and memory-limited
    assert kind == "ok" and what[1:].startswith("refused: "), f"{kind} {what}"
    assert not os.path.exists(SENTINEL), "the payload wrote a file"
    functions, environment, modules = dict(BUILTINS), dict(os.environ), set(sys.modules)
    assert _attempt(payload).startswith("refused")  # once more here, to see the state after
    assert not os.path.exists(SENTINEL), "the payload wrote a file"
    assert functions == BUILTINS and dict(os.environ) == environment
    assert {"subprocess", "pty"} & (set(sys.modules) - modules) == set()
    assert VARIABLES["l"] == [1, 2, 3] and VARIABLES["d"] == {"k": "v"}


@pytest.mark.parametrize("payload", ["owner['__class__']", "__builtins__", "__builtins__.open",
                                     "__loader__", "__spec__", "__name__", "_", "__class__",
                                     "d.keys"])
def test_python_names_are_just_missing_variables(payload: str) -> None:
    tried("sandbox payloads")
    with pytest.raises(Missing):
        compile_expression(payload).evaluate(VARIABLES)


@pytest.mark.parametrize(("payload", "expected"), [
    ("get(d, '__class__')", None),  # reads the key '__class__' of a mapping: there is none
    ("get(d, '\\x5f\\x5fclass\\x5f\\x5f')", None),
    ("'__import__'", "__import__"),  # just text
    ("'\\x5f\\x5fclass\\x5f\\x5f'", "__class__"),
    ("'{0.__class__}'", "{0.__class__}"),
    ("contains(s, '__')", False),
    ("n if true else __import__('os')", 7),  # the other branch is never evaluated
])
def test_lookalikes_only_read_data(payload: str, expected: object) -> None:
    tried("sandbox payloads")
    assert compile_expression(payload).evaluate(VARIABLES) == expected


def test_the_evaluator_calls_no_eval_exec_compile_or_import() -> None:
    tree = ast.parse(Path(expressions.__file__).read_text(encoding="utf-8"))
    called = {n.func.id for n in ast.walk(tree)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert called & {"eval", "exec", "compile", "__import__", "setattr", "vars"} == set()
