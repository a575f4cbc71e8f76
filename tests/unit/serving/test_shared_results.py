"""Results shared by value: the same request from many sessions at once is computed once, a leader who leaves hands
over to a follower, and the store stays within its bound."""

import threading

from playground.serving.shared_results import SharedResults


def sized(value):
    return len(value)


def test_thirty_sessions_asking_for_the_same_thing_at_once_compute_it_once():
    shared, computations, results = SharedResults(10_000, sized), [], []
    start = threading.Barrier(30)

    def session():
        start.wait()
        claim = shared.claim(("ROMEO:", 0))
        while not claim.ready:
            if claim.leading:
                computations.append(1)
                shared.publish(claim, "ROMEO: I will not be so.")
            else:
                claim.wait(5)
                claim = shared.follow(claim)
        results.append(claim.value)

    threads = [threading.Thread(target=session) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(computations) == 1 and shared.computed == 1
    assert results == ["ROMEO: I will not be so."] * 30 and shared.shared == 29


def test_a_follower_sees_the_leaders_progress_while_it_waits():
    shared = SharedResults(10_000, sized)
    leader, follower = shared.claim("k"), shared.claim("k")
    assert leader.leading and not follower.leading and not follower.ready
    leader.computation.progress = "ROMEO: I"
    assert follower.computation.progress == "ROMEO: I" and not follower.wait(0.01)


def test_when_the_leader_leaves_unfinished_a_follower_takes_over():
    shared = SharedResults(10_000, sized)
    leader, follower = shared.claim("k"), shared.claim("k")
    shared.release(leader)  # the leader's tab closed mid-generation
    assert follower.wait(0)
    follower = shared.follow(follower)
    assert follower.leading  # nobody else computes it, so it does
    shared.publish(follower, "done")
    assert shared.claim("k").value == "done"
    shared.release(follower)  # after publishing, a release changes nothing
    assert shared.claim("k").value == "done"


def test_different_requests_are_not_shared():
    shared = SharedResults(10_000, sized)
    a, b = shared.claim(("ROMEO:", 0)), shared.claim(("ROMEO:", 1))
    assert a.leading and b.leading


def test_the_store_drops_the_least_recently_used_to_stay_within_its_bound():
    shared = SharedResults(10, sized)
    for key, value in (("a", "xxxx"), ("b", "yyyy")):
        shared.publish(shared.claim(key), value)
    assert shared.claim("a").ready  # a is now the most recently used
    shared.publish(shared.claim("c"), "zzzz")
    assert shared.bytes <= 10
    assert shared.claim("a").ready and shared.claim("c").ready and shared.claim("b").leading


def test_a_value_bigger_than_the_bound_reaches_its_followers_but_is_not_kept():
    shared = SharedResults(3, sized)
    leader, follower = shared.claim("k"), shared.claim("k")
    shared.publish(leader, "too big")
    assert shared.follow(follower).value == "too big"
    assert shared.bytes == 0 and shared.claim("k").leading


def test_a_stored_generation_is_measured_by_its_tensors_and_text():
    import torch

    from playground.generation.decode import Settings
    from playground.serving.shared_results import approximate_bytes

    tokens = torch.zeros(4, 250, dtype=torch.long)  # 8,000 bytes
    measured = approximate_bytes({"sequences": tokens, "again": tokens, "settings": Settings(), "text": "x" * 1000})
    assert 9_000 < measured < 10_000  # the same tensor twice is counted once


def test_asking_afresh_for_a_stored_value_computes_it_again_but_still_joins_one_under_way():
    shared = SharedResults(10_000, sized)
    shared.publish(shared.claim("k"), "first")
    again = shared.claim("k", fresh=True)  # the learner clicked Generate for the text already on their screen
    assert again.leading and not again.ready
    alongside = shared.claim("k", fresh=True)  # another learner clicking meanwhile follows, rather than a second run
    assert not alongside.leading and alongside.computation is again.computation
    shared.publish(again, "second")
    assert shared.claim("k").value == "second" and shared.computed == 2
