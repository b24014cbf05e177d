"""What the security tests share: the Hypothesis settings of every fuzz test, the count of
inputs tried, and checks for "nothing but a documented error, quickly".

Hypothesis runs `LC_FUZZ_EXAMPLES` examples per property (default 100), derandomised so a
CI run is repeatable; `LC_FUZZ_RANDOM=1` explores new inputs instead.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, settings

from liucheng.errors import LiuchengError

EXAMPLES = int(os.environ.get("LC_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize=not os.environ.get("LC_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
FUZZED: Counter[str] = Counter()
SLOW = 30.0  # seconds: a hang detector, not a speed check (a shared machine may be slow)


_PROGRESS: list[str] = []  # in an isolated child: the file naming the input being tried


def tried(name: str, value: Any = None) -> None:
    """Count one input; in an isolated test also note it, so a hang can be reported."""
    FUZZED[name] += 1
    if _PROGRESS:
        with open(_PROGRESS[0], "w", encoding="utf-8") as out:
            out.write(repr(value)[:2000])


def only_documented(call: Callable[[], Any], *allowed: type[LiuchengError],
                    limit: float = SLOW) -> Any:
    """Run `call`: it may return or raise one of `allowed` (default: any LiuchengError),
    within `limit` seconds. Returns the result, or the error raised."""
    kinds = allowed or (LiuchengError,)
    started = time.perf_counter()
    try:
        result = call()
    except kinds as exc:
        result = exc
    elapsed = time.perf_counter() - started
    assert elapsed < limit, f"took {elapsed:.2f} s"
    return result


@contextmanager
def quick(limit: float = SLOW) -> Iterator[None]:
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    assert elapsed < limit, f"took {elapsed:.2f} s"


def _limit_memory(extra: int) -> None:
    """Let this (forked) process grow by `extra` bytes of address space beyond what it
    has already: the parent may be large after many tests."""
    import resource

    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))


def in_child(call: Callable[[], Any], *, timeout: float = SLOW,
             memory: int = 1 << 30) -> tuple[str, str]:
    """Run `call` in a forked child with a time and memory limit, so that an input that
    makes the interpreter work for minutes (inside C code no signal interrupts) or fill
    memory is reported instead of hanging the run.

    Returns ("ok", repr of the result), ("raised", "ErrorClass: message"),
    ("timeout", "") or ("died", "exit status").
    """
    import pickle
    import select
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        try:
            _limit_memory(memory)
            try:
                outcome = ("ok", repr(call())[:300])
            except BaseException as exc:  # noqa: BLE001 - report whatever it was
                outcome = ("raised", f"{type(exc).__name__}: {exc}"[:300])
            os.write(write_end, pickle.dumps(outcome))
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return ("timeout", "")
        data = b""
        while chunk := os.read(read_end, 65536):
            data += chunk
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if not data:
        return ("died", str(status))
    kind, text = pickle.loads(data)
    return str(kind), str(text)


def isolated(test: Callable[..., None]) -> Callable[..., None]:
    """Run a whole (Hypothesis) test in one forked child with a memory limit; if one input
    makes no progress for SLOW seconds — a hang inside C code that no signal interrupts —
    the child is killed and the test fails naming that input (see `tried`).
    One fork per test, not per input, keeps the fuzzing fast."""
    import functools
    import pickle
    import select
    import signal
    import tempfile
    import traceback

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        handle, progress = tempfile.mkstemp(prefix="liucheng-fuzz-")
        os.close(handle)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            try:
                _limit_memory(2 << 30)
                _PROGRESS.append(progress)
                FUZZED.clear()
                try:
                    test(*args, **kwargs)
                    outcome: tuple[str, str, dict[str, int]] = ("passed", "", dict(FUZZED))
                except BaseException:  # noqa: BLE001 - hand any failure to the parent
                    outcome = ("failed", traceback.format_exc()[-6000:], dict(FUZZED))
                os.write(write_end, pickle.dumps(outcome))
            finally:
                os._exit(0)
        os.close(write_end)
        data = b""
        try:
            while True:
                ready, _, _ = select.select([read_end], [], [], 0.25)
                if ready:
                    chunk = os.read(read_end, 65536)
                    if not chunk:
                        break
                    data += chunk
                    continue
                stalled = time.time() - os.path.getmtime(progress)
                if stalled > SLOW * 3:
                    os.kill(pid, signal.SIGKILL)
                    with open(progress, encoding="utf-8") as last:
                        raise AssertionError(f"an input ran for more than {stalled:.0f} s "
                                             f"(killed): {last.read()}")
        finally:
            os.close(read_end)
            os.waitpid(pid, 0)
            os.unlink(progress)
        if not data:
            raise AssertionError("the isolated test died (out of memory?)")
        status, text, counts = pickle.loads(data)
        FUZZED.update(counts)
        if status != "passed":
            raise AssertionError(text)

    return run
