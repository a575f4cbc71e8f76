"""Results shared by value: thirty learners who ask for the same thing at once cost one computation, not thirty.

A class opens the same link, so most of its requests are the same request: the page's defaults, the teacher's prompt
with the teacher's seed. `st.cache_data` would compute a missing value in every session that asks before the first
one finishes, and it can't show the followers the leader's progress. Here the first asker leads and computes; the
others follow: they wait for the leader's value, and can watch its `progress` meanwhile. A leader that stops (its
learner cancelled, or closed the tab) releases its claim unfinished; its followers then find themselves without a
leader and claim again, and one of them leads. Finished values stay, least recently used first out, within a bound
on their total size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

MISSING = object()


@dataclass(eq=False)
class Computation:
    """A value being computed by one session for everyone who asks meanwhile."""

    key: Hashable
    progress: Any = None  # whatever the leader wants its followers to see while they wait (the text so far)
    value: Any = MISSING
    abandoned: bool = False  # the leader stopped before it had a value
    finished: threading.Event = field(default_factory=threading.Event, repr=False)


@dataclass(eq=False)
class Claim:
    """What `SharedResults.claim` answers: a stored value (`ready`), or the duty to compute it (`leading`), or a place
    behind the session computing it (neither: wait on `computation`, then `follow`)."""

    key: Hashable
    computation: Computation | None
    leading: bool = False
    value: Any = MISSING

    @property
    def ready(self) -> bool:
        return self.value is not MISSING

    def wait(self, timeout: float) -> bool:
        """A follower's wait: True once the leader published or gave up, False on timeout."""
        return self.computation is None or self.computation.finished.wait(timeout)


class SharedResults:
    def __init__(self, max_bytes: int, size_of: Callable[[Any], int]):
        self.max_bytes = max_bytes
        self.size_of = size_of
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._in_flight: dict[Hashable, Computation] = {}
        self.computed = 0  # values published: computations that really ran to the end
        self.shared = 0  # claims answered without computing: a stored value, or a leader followed to its end

    @property
    def bytes(self) -> int:
        with self._lock:
            return sum(size for _, size in self._values.values())

    def claim(self, key: Hashable, fresh: bool = False) -> Claim:
        """`fresh`: compute it again even if a value is stored (a learner who asks again for what is on their
        screen wants to watch it being made), still sharing a computation already under way."""
        with self._lock:
            if fresh:
                self._values.pop(key, None)
            if key in self._values:
                self._values.move_to_end(key)
                self.shared += 1
                return Claim(key, None, value=self._values[key][0])
            if key in self._in_flight:
                return Claim(key, self._in_flight[key])
            computation = self._in_flight[key] = Computation(key)
            return Claim(key, computation, leading=True)

    def follow(self, claim: Claim) -> Claim:
        """A follower whose wait ended: the leader's value, or (it gave up) a fresh claim, which may lead."""
        computation = claim.computation
        if computation is not None and computation.value is not MISSING:
            with self._lock:
                self.shared += 1
            return Claim(claim.key, None, value=computation.value)
        return self.claim(claim.key)

    def publish(self, claim: Claim, value: Any) -> None:
        assert claim.leading and claim.computation is not None, "only the leader publishes"
        size = self.size_of(value)
        with self._lock:
            self.computed += 1
            if size <= self.max_bytes:  # a value bigger than the whole bound is handed to its followers, not kept
                self._values[claim.key] = (value, size)
                while sum(s for _, s in self._values.values()) > self.max_bytes:
                    self._values.popitem(last=False)
            self._in_flight.pop(claim.key, None)
        claim.value = claim.computation.value = value
        claim.computation.finished.set()

    def release(self, claim: Claim) -> None:
        """A leader's `finally`: if it never published, its followers wake up and claim again."""
        computation = claim.computation
        if not claim.leading or computation is None or computation.finished.is_set():
            return
        with self._lock:
            if self._in_flight.get(claim.key) is computation:
                del self._in_flight[claim.key]
        computation.abandoned = True
        computation.finished.set()


def approximate_bytes(value: Any, _seen: set[int] | None = None) -> int:
    """What a stored value holds, roughly: tensors and arrays by their buffers, text by its length, containers and
    dataclasses by their contents. Enough to keep a store within a bound; objects are counted once."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):  # a torch tensor or a numpy array
        return nbytes
    if isinstance(value, (str, bytes)):
        return len(value) + 50
    if isinstance(value, dict):
        return 64 + sum(approximate_bytes(k, seen) + approximate_bytes(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return 56 + sum(approximate_bytes(item, seen) for item in value)
    if hasattr(value, "__dataclass_fields__"):
        return 64 + sum(approximate_bytes(getattr(value, name), seen) for name in value.__dataclass_fields__)
    return 32
