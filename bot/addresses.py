"""Which conversation addresses (Turn.reference) this process recently found already stored.

The database is the truth (conversation_refs, written in the turn's transaction by
Memory.save_reference). This only spares the read that confirms "unchanged" on every turn of a
busy conversation: an address is remembered after a turn *read* it back equal (committed
data), never after a write that might still roll back, and only for a few minutes, so a
conversation another replica re-stored is re-checked here soon after.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Key = tuple[str, str, str]  # platform, tenant, conversation


class RecentlyStored:
    def __init__(
        self, ttl: float = 300.0, size: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._items: OrderedDict[Key, tuple[float, dict[str, Any]]] = OrderedDict()

    def unchanged(self, key: Key, address: dict[str, Any]) -> bool:
        hit = self._items.get(key)
        return hit is not None and hit[0] > self.clock() and hit[1] == address

    def remember(self, key: Key, address: dict[str, Any]) -> None:
        self._items[key] = (self.clock() + self.ttl, address)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def forget(self, key: Key) -> None:
        self._items.pop(key, None)
