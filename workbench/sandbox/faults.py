"""Faults on demand: 429s, 5xx, slow responses, dropped connections, token expiry, malformed pages.

A `FaultPlan` is a list of rules. Each rule numbers the requests it matches (by system and path), and
fires on the calls it names (`on_calls`, 1 = the first matching request), every `every`-th matching
call, or with a probability drawn from the plan's own seeded generator, so a run with the same plan
and the same calls sees the same faults. `limit` caps how often a rule fires.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["429", "500", "503", "slow", "drop", "expire_token", "malformed"]
FAULT_KINDS: tuple[str, ...] = ("429", "500", "503", "slow", "drop", "expire_token", "malformed")


class DroppedConnection(Exception):
    """The sandbox closed the connection without answering (a fault was asked for)."""


@dataclass
class FaultRule:
    kind: FaultKind
    system: Literal["xero", "pipedrive", "hubspot", "any"] = "any"
    path: str = ""
    on_calls: tuple[int, ...] = ()
    every: int = 0
    probability: float = 0.0
    delay_seconds: float = 30.0
    limit: int | None = None
    fired: int = field(default=0, init=False)
    seen: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(FAULT_KINDS)}")
        self._path = re.compile(self.path, re.IGNORECASE) if self.path else None

    def matches(self, system: str, path: str) -> bool:
        if self.system not in ("any", system):
            return False
        return self._path is None or bool(self._path.search(path))


@dataclass
class Fault:
    kind: FaultKind
    delay_seconds: float = 0.0


class FaultPlan:
    """Decides, per request, which fault (if any) the sandbox injects."""

    def __init__(self, rules: list[FaultRule] | None = None, seed: int = 0) -> None:
        self.rules = list(rules or [])
        self._random = random.Random(seed)
        self._calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def next_fault(self, system: str, path: str) -> Fault | None:
        with self._lock:
            self._calls[system] = self._calls.get(system, 0) + 1
            chosen: Fault | None = None
            for rule in self.rules:
                if not rule.matches(system, path):
                    continue
                rule.seen += 1
                if chosen is not None or (rule.limit is not None and rule.fired >= rule.limit):
                    continue
                number = rule.seen
                hit = (
                    number in rule.on_calls
                    or (rule.every > 0 and number % rule.every == 0)
                    or (rule.probability > 0 and self._random.random() < rule.probability)
                )
                if hit:
                    rule.fired += 1
                    chosen = Fault(rule.kind, rule.delay_seconds)
        return chosen

    def calls(self, system: str) -> int:
        """How many requests `system` has received so far."""
        with self._lock:
            return self._calls.get(system, 0)
