"""Heavy work on a shared server, the way a class needs it: computed once for everyone who asks the same, run one at a
time in arrival order, and a learner who waits sees their place and can leave the line.

The queue and the store are one per server process, so every session of the class meets the same ones. Leaving is
always a `finally`: a learner who clicks "Leave the queue", changes a setting, or closes the tab makes Streamlit stop
their script at its next drawing call, which is at most `POLL` seconds away while they wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from playground.serving.fair_queue import FairQueue, Ticket
from playground.serving.shared_results import Computation, SharedResults, approximate_bytes

POLL = 0.25  # seconds between a waiting learner's updates
HEAVY_WORK = FairQueue(slots=1)  # two generations at once on 2 shared cores are each more than twice as slow
SHARED = SharedResults(max_bytes=64 * 2**20, size_of=approximate_bytes)
LEFT = "_left_the_queue"  # session key: the request whose learner clicked "Leave the queue"
RUN_STARTED = "_run_started"  # session key: when this script run began, for the queue's arrival order


def mark_run_start() -> None:
    """Called first thing in every script run (app.py): when this learner's request reached the server."""
    st.session_state[RUN_STARTED] = time.monotonic()


def running_text(what: str, place: int, of: int) -> str:
    behind = of - place
    waiting = f" {behind} more waiting after it." if behind > 0 else ""
    return f"✍️ {what}: place {place} of {of} in the queue, and yours is being served now.{waiting}"


def summary() -> str:
    """For the home page: how the server shares itself out, and how busy it is right now."""
    running, waiting = HEAVY_WORK.snapshot()
    return (
        f"{HEAVY_WORK.slots} at a time, in the order asked, everyone waiting told their place; {running} running and "
        f"{waiting} waiting now. The same request from several learners is computed once: "
        f"{SHARED.computed} computed and {SHARED.shared} shared since the server started."
    )


def left_the_queue(key: Hashable, clicked: bool) -> bool:
    """True after this session left the line for `key`, until it asks again: the page must not rejoin by itself."""
    if clicked:
        st.session_state.pop(LEFT, None)
    return st.session_state.get(LEFT) == key


def place_text(what: str, place: int, of: int) -> str:
    ahead = place - 1
    return (
        f"⏳ **{what}: place {place} of {of} in the queue.** "
        + (f"{ahead} request{'s' if ahead != 1 else ''} ahead of yours. " if ahead else "Yours is next. ")
        + "This server does one at a time so that each finishes as fast as it can; requests are served in the order "
        "they came."
    )


def computed_once(
    key: Hashable,
    what: str,
    work: Callable[[Callable[[Any], None]], Any],
    draw: Callable[[Any], None],
    status,
    fresh: bool = False,
) -> Any:
    """`work(report)`'s value for `key`, computed once however many sessions ask for it at the same time.

    The first asker queues for a turn and runs `work`, which calls `report(progress)` as it goes (the text so far);
    every session asking meanwhile follows it and `draw`s the same progress. `status` (an `st.empty()`) shows the
    place in the queue and the way out of it, and is cleared when the work starts. `fresh`: this learner asked again
    for what is on their screen, so it is made again (and streams again) rather than read from the store.
    """
    claim = SHARED.claim(key, fresh)
    while not claim.ready:
        if claim.leading:
            try:
                with wait_for_turn(what, key, status, claim.computation):

                    def report(progress, computation=claim.computation):
                        computation.progress = progress
                        draw(progress)

                    value = work(report)
                SHARED.publish(claim, value)
            finally:
                SHARED.release(claim)  # unpublished: the followers wake up, and one of them takes over
                status.empty()
            return value
        claim = follow(claim, what, draw, status)
    status.empty()
    return claim.value


def wait_for_turn(what: str, key: Hashable | None, status, computation: Computation | None = None) -> Ticket:
    """A running ticket of the heavy-work queue, after waiting in line with its place shown (and, given a `key`, a
    button to leave the line). Use it in a `with`, so that the ticket always leaves."""
    ticket = HEAVY_WORK.join(what, arrived=st.session_state.get(RUN_STARTED))
    if computation is not None:
        computation.progress = ticket  # followers show the leader's place until its first progress replaces it
    try:
        if not ticket.wait(0):
            with status.container():
                place = st.empty()
                if key is not None:
                    st.button("Leave the queue", key=f"leave-{ticket.number}", on_click=_leave, args=(key,))
            while not ticket.wait(POLL):
                place.info(place_text(what, *ticket.place()))
        status.caption(running_text(what, *ticket.place()))
    except BaseException:
        ticket.leave()
        raise
    return ticket


def queued(what: str, key: Hashable, compute: Callable[[], Any]) -> Any:
    """A heavy computation with nothing to stream (scoring a model on many lines): in line, shared, and under a
    spinner that says what it does."""
    status = st.empty()
    with st.spinner(f"{what}…"):
        return computed_once(key, what, lambda report: compute(), lambda progress: None, status)


_WARM: set[Hashable] = set()  # loads that succeeded in this process: they come from Streamlit's cache


def load_in_turn(what: str, key: Hashable, load: Callable[[], Any]) -> Any:
    """A model's first load takes its turn in the line (it reads hundreds of MB and costs a core for seconds); a
    model already loaded comes straight from the cache, without waiting behind anyone's generation."""
    if key in _WARM:
        return load()
    status = st.empty()
    try:
        with wait_for_turn(what, None, status):
            value = load()
    finally:
        status.empty()  # also when the load failed: its error says what happened, not a stale "being served now"
    _WARM.add(key)
    return value


def follow(claim, what: str, draw: Callable[[Any], None], status):
    """Wait on another session computing the same thing, showing what it shows; then the value, or a new claim."""
    drawn = None
    while not claim.wait(POLL):
        progress = claim.computation.progress
        if isinstance(progress, Ticket):  # the leader is still in the queue: so is this learner, at its place
            status.info(
                place_text(what, *progress.place()) + " Another learner asked for exactly this first: it "
                "is computed once, for both of you."
            )
        elif progress is not None and progress is not drawn:
            status.caption("Another learner asked for exactly this a moment ago: it is written once, for both of you.")
            draw(drawn := progress)
    return SHARED.follow(claim)


def _leave(key: Hashable) -> None:
    st.session_state[LEFT] = key
