"""The heavy-work queue: one at a time, first come first served, everyone told their place, and nobody stuck behind
a learner who left."""

import threading
import time

import pytest

from playground.serving.fair_queue import Abandoned, FairQueue


def test_the_first_ticket_runs_at_once_and_the_next_waits_its_turn():
    queue = FairQueue(slots=1)
    first, second = queue.join("generate"), queue.join("generate")
    assert first.wait(0) and first.running
    assert not second.wait(0.05) and not second.running
    assert first.place() == (1, 2) and second.place() == (2, 2)
    first.leave()
    assert second.wait(1) and second.place() == (1, 1)


def test_thirty_requests_are_served_in_arrival_order_whatever_order_their_threads_wake_in():
    queue, finished, lock = FairQueue(slots=1), [], threading.Lock()
    tickets = [queue.join(f"learner {n}") for n in range(30)]
    running_at_once, running = [], [0]

    def learner(ticket):
        while not ticket.wait(0.01):
            pass
        with lock:
            running[0] += 1
            running_at_once.append(running[0])
        time.sleep(0.002)
        with lock:
            running[0] -= 1
            finished.append(ticket.number)
        ticket.leave()

    threads = [threading.Thread(target=learner, args=(t,)) for t in reversed(tickets)]  # last come, first started
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert finished == [t.number for t in tickets] == queue.served
    assert max(running_at_once) == 1


def test_every_waiting_learner_sees_its_place_move_up_as_others_finish():
    queue = FairQueue(slots=1)
    tickets = [queue.join("generate") for _ in range(4)]
    assert [t.place() for t in tickets] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    tickets[0].leave()
    assert [t.place() for t in tickets[1:]] == [(1, 3), (2, 3), (3, 3)]
    assert tickets[0].place() == (0, 3)  # a ticket that left has no place


def test_cancelling_while_waiting_takes_the_ticket_out_of_line_and_lets_the_rest_move_up():
    queue = FairQueue(slots=1)
    running, cancelled, behind = queue.join("a"), queue.join("b"), queue.join("c")
    cancelled.leave()
    cancelled.leave()  # twice is harmless: a page's finally always leaves
    assert behind.place() == (2, 2)
    running.leave()
    assert behind.wait(1) and queue.served == [running.number, behind.number]


def test_two_slots_run_two_at_once():
    queue = FairQueue(slots=2)
    a, b, c = queue.join("a"), queue.join("b"), queue.join("c")
    assert a.wait(0) and b.wait(0) and not c.wait(0.02)
    assert queue.snapshot() == (2, 1)


def test_a_waiter_nobody_polls_any_more_is_dropped_so_it_cant_hold_up_the_line():
    queue = FairQueue(slots=1, abandoned_after=0.05)
    running, ghost, alive = queue.join("a"), queue.join("ghost"), queue.join("alive")
    time.sleep(0.1)
    alive.wait(0)  # alive asks again; the ghost never does
    running.leave()
    assert alive.wait(1) and alive.place() == (1, 1)
    with pytest.raises(Abandoned):
        ghost.wait(0)


def test_a_ticket_used_as_a_context_manager_always_leaves():
    queue = FairQueue(slots=1)
    with pytest.raises(KeyboardInterrupt), queue.join("a") as ticket:
        ticket.wait(0)
        raise KeyboardInterrupt  # the learner's tab closed mid-work
    assert queue.snapshot() == (0, 0)


def test_a_request_that_reached_the_server_first_is_served_first_even_if_its_page_joined_later():
    queue = FairQueue(slots=1)
    running = queue.join("a")
    now = time.monotonic()
    late_click = queue.join("clicked second, its page was quicker", arrived=now)
    early_click = queue.join("clicked first, its page drew longer", arrived=now - 0.3)
    assert early_click.place() == (2, 3) and late_click.place() == (3, 3)
    running.leave()
    assert early_click.wait(1) and not late_click.running
    assert queue.served == [running.number, early_click.number]
