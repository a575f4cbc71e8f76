"""One queue for the server's heavy work, served in arrival order, where everyone waiting knows their place.

Thirty learners clicking Generate on a 2-vCPU server can't all run at once: two generations at once are each more
than twice as slow, and a lock alone wakes its waiters in no particular order and tells them nothing. So heavy work
takes a ticket here, waits its turn, and can look at its place in the line while it waits. A ticket leaves the line
when its work ends, when its learner cancels, and when its learner closes the tab (Streamlit stops that session's
script, and the page's `finally` leaves). A ticket whose owner stopped asking for its turn is dropped after
`abandoned_after` seconds, so a session that died without cleaning up can't hold up everyone behind it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass(eq=False)
class Ticket:
    """One request's place in the line: `joined` is when it arrived, `number` counts the calls to `join`."""

    queue: FairQueue
    number: int
    what: str
    joined: float
    last_seen: float
    admitted: float | None = None
    left: bool = False
    _turn: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return self._turn.is_set() and not self.left

    def place(self) -> tuple[int, int]:
        """(my place, how many are in line), counting the running ones: 1 of 3 is being served now or next."""
        return self.queue.place_of(self)

    def wait(self, timeout: float) -> bool:
        """True once it is this ticket's turn; False after `timeout` seconds still waiting (ask again, or leave)."""
        self.last_seen = time.monotonic()
        got_it = self._turn.wait(timeout)
        self.last_seen = time.monotonic()
        if self.left:
            raise Abandoned(f"{self.what}: this request was dropped from the queue after waiting unattended")
        return got_it

    def leave(self) -> None:
        """Done, cancelled or closed: idempotent, so a `finally` may always call it."""
        self.queue.leave(self)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc) -> None:
        self.leave()


class Abandoned(RuntimeError):
    """Raised by `Ticket.wait` for a ticket the queue dropped because nobody had asked for it for too long."""


class FairQueue:
    """`slots` pieces of work at a time, the rest waiting first come, first served."""

    def __init__(self, slots: int = 1, abandoned_after: float = 30.0):
        if slots < 1:
            raise ValueError("a queue needs at least one slot")
        self.slots = slots
        self.abandoned_after = abandoned_after
        self._lock = threading.Lock()
        self._waiting: deque[Ticket] = deque()
        self._running: list[Ticket] = []
        self._numbers = itertools.count(1)
        self.served: list[int] = []  # ticket numbers in the order they were admitted, for tests and benchmarks

    def join(self, what: str, arrived: float | None = None) -> Ticket:
        """`arrived` (time.monotonic()) is when the request reached the server, if that was before this call: a page
        joins only after drawing what comes above its button, which takes longer on a busier server, so two learners
        who clicked in turn could otherwise join in the other order."""
        now = time.monotonic()
        with self._lock:
            ticket = Ticket(self, next(self._numbers), what, min(arrived or now, now), now)
            place = len(self._waiting)
            while place and self._waiting[place - 1].joined > ticket.joined:
                place -= 1
            self._waiting.insert(place, ticket)
            self._admit()
        return ticket

    def leave(self, ticket: Ticket) -> None:
        with self._lock:
            if ticket.left:
                return
            ticket.left = True
            if ticket in self._running:
                self._running.remove(ticket)
            elif ticket in self._waiting:
                self._waiting.remove(ticket)
            self._admit()

    def place_of(self, ticket: Ticket) -> tuple[int, int]:
        with self._lock:
            self._admit()  # drops the abandoned first, which may let the next one in
            line = [*self._running, *self._waiting]
            return (line.index(ticket) + 1 if ticket in line else 0), len(line)

    def snapshot(self) -> tuple[int, int]:
        """(running, waiting), e.g. for the home page."""
        with self._lock:
            return len(self._running), len(self._waiting)

    def _admit(self) -> None:
        self._drop_abandoned()
        while self._waiting and len(self._running) < self.slots:
            ticket = self._waiting.popleft()
            ticket.admitted = time.monotonic()
            self._running.append(ticket)
            self.served.append(ticket.number)
            ticket._turn.set()

    def _drop_abandoned(self) -> None:
        """A waiting ticket nobody has polled for `abandoned_after` s: its session is gone without a `finally`."""
        cutoff = time.monotonic() - self.abandoned_after
        for ticket in [t for t in self._waiting if t.last_seen < cutoff]:
            self._waiting.remove(ticket)
            ticket.left = True
            ticket._turn.set()  # wakes a late owner, whose wait() then raises Abandoned
