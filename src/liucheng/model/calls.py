"""The call activity: a step that runs a case of another process and waits for it to end.

`process` names the called process (its newest version, or `version`). `inputs` are the
called case's starting variables, each an expression over the calling case's variables
(None: all of them are passed); `outputs` are set in the calling case when the called
one ends, each an expression over the called case's variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from liucheng.model.elements import Element, MultiInstance


@dataclass(frozen=True)
class CallActivity(Element):
    kind: ClassVar[str] = "call_activity"
    process: str = ""
    version: int | None = None
    inputs: tuple[tuple[str, str], ...] | None = None
    outputs: tuple[tuple[str, str], ...] = ()
    multi_instance: MultiInstance | None = None
