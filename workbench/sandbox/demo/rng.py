"""Deterministic randomness for the generator: named sub-streams, GUIDs, field hashes and instants.

Every random choice comes from `random.Random` streams derived from the seed and a stream name, so
one stage drawing more numbers never shifts another stage's data (and never touches global state).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

DAY = timedelta(days=1)


_GUID_MASK = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_GUID_BITS = (0x8000 << 48) | (4 << 76)


class FastRandom(random.Random):
    """`random.Random` drawing indexes from `random()` instead of rejection sampling on getrandbits.

    Same seed, same sequence, as ever; it only costs far fewer Python calls per draw, which matters when
    a big client makes millions of them. (float-based indexes are biased by < 2**-40: irrelevant here.)
    """

    def _randbelow(self, n: int) -> int:
        return int(self.random() * n)

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def derive(seed: int, stream: str) -> random.Random:
    """An independent generator for one named stage (str seeds are hashed with SHA-512: stable)."""
    return FastRandom(f"workbench-demo:{seed}:{stream}")


def guid(rng: random.Random) -> str:
    """A version-4 GUID drawn from `rng`, lower case as Xero writes them (what uuid.UUID(version=4) gives)."""
    h = f"{rng.getrandbits(128) & _GUID_MASK | _GUID_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def field_hash(rng: random.Random) -> str:
    """A 40-character lowercase hex key, the shape of a Pipedrive custom field's `field_code`."""
    return f"{rng.getrandbits(160):040x}"


def instant(day: date, rng: random.Random, first_hour: int = 8, last_hour: int = 18) -> datetime:
    """A working-hours instant (aware UTC) on `day`."""
    seconds = int(rng.random() * (last_hour - first_hour) * 3600)
    return datetime(
        day.year,
        day.month,
        day.day,
        first_hour + seconds // 3600,
        seconds // 60 % 60,
        seconds % 60,
        tzinfo=UTC,
    )


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - DAY).day
    return date(year, month, min(day.day, last))


def clamp(day: date, low: date, high: date) -> date:
    return low if day < low else high if day > high else day
