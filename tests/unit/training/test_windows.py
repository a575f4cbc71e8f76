"""Which token windows each rank reads: disjoint across ranks and steps, and the same windows whatever the split."""

import torch

from playground.training.windows import WindowPlan, gather


def windows_of_pass(plan: WindowPlan, pass_index: int = 0) -> list[list[int]]:
    """Every (step, rank)'s start positions through one pass, as flat lists."""
    first = pass_index * plan.steps_per_pass
    return [
        plan.rank_starts(step, rank).flatten().tolist()
        for step in range(first, first + plan.steps_per_pass)
        for rank in range(plan.world)
    ]


def test_ranks_read_disjoint_windows_through_a_whole_pass():
    plan = WindowPlan(n_tokens=5000, context=32, batch=3, accum=2, world=2, seed=7)
    shares = windows_of_pass(plan)
    starts = [s for share in shares for s in share]
    assert len(shares) == 2 * plan.steps_per_pass and all(len(share) == 6 for share in shares)
    assert len(starts) == len(set(starts)), "no window is read twice, by any rank, in any step of the pass"
    # Back-to-back windows of context + 1 tokens: no two overlap beyond the one token they share as target/input.
    ordered = sorted(starts)
    assert all(b - a >= plan.context for a, b in zip(ordered, ordered[1:], strict=False))
    assert min(starts) >= 0 and max(starts) + plan.context + 1 <= plan.n_tokens


def test_n_workers_at_batch_b_read_what_one_process_reads_at_n_times_b():
    split = WindowPlan(n_tokens=5000, context=32, batch=4, world=2, seed=1)
    whole = WindowPlan(n_tokens=5000, context=32, batch=8, world=1, seed=1)
    accumulated = WindowPlan(n_tokens=5000, context=32, batch=4, accum=2, world=1, seed=1)
    for step in (0, 1, split.steps_per_pass + 3):  # into the second pass too
        ranks = torch.cat([split.rank_starts(step, r).flatten() for r in range(2)])
        assert ranks.tolist() == whole.rank_starts(step, 0).flatten().tolist()
        assert ranks.tolist() == accumulated.rank_starts(step, 0).flatten().tolist()
    assert accumulated.rank_starts(0, 0).shape == (2, 4), "accum micro-batches of batch windows each"


def test_each_pass_cuts_and_orders_the_text_anew():
    plan = WindowPlan(n_tokens=5000, context=32, batch=4, world=2, seed=0)
    first, second = plan.pass_order(0), plan.pass_order(1)
    assert first.tolist() != second.tolist()
    assert len(first) == len(second) == plan.windows_per_pass
    assert plan.pass_order(0).tolist() == first.tolist(), "the same on every rank: seeded by the pass alone"


def test_gather_gives_inputs_and_the_next_tokens():
    ids = torch.arange(100)
    x, y = gather(ids, torch.tensor([0, 40]), context=5)
    assert x.tolist() == [[0, 1, 2, 3, 4], [40, 41, 42, 43, 44]]
    assert y.tolist() == [[1, 2, 3, 4, 5], [41, 42, 43, 44, 45]]


def test_a_text_too_short_says_so_in_a_sentence():
    assert "too short for one window of 33 tokens" in WindowPlan(n_tokens=32, context=32, batch=1).problem()
    assert WindowPlan(n_tokens=33, context=32, batch=1).problem() is None  # exactly one window fits
    crowded = WindowPlan(n_tokens=1000, context=32, batch=16, accum=2, world=2).problem()
    assert "30 windows of 32 tokens, fewer than one step reads" in crowded
    assert "2 worker(s) x batch 16 x 2 accumulation step(s) = 64 windows" in crowded
