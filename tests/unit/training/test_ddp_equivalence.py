"""Data parallelism's central claim: one DDP step, N workers at batch B == one process at batch N*B."""

import pytest

from playground.training.ddp_equivalence import big_batch_step, ddp_step, max_difference


def test_one_ddp_step_with_two_workers_equals_one_big_batch_step():
    workers, batch = 2, 8
    reference = big_batch_step(workers, batch)
    distributed = ddp_step(workers, batch)
    assert max_difference(reference, distributed) < 1e-5
    # The check can fail: one process that saw only rank 0's 8 samples ends somewhere measurably different...
    assert max_difference(big_batch_step(1, batch), reference) > 1e-4
    # ...and the step moved the weights far more than the tolerance (Adam's first step is about lr = 1e-3).
    assert max_difference(big_batch_step(workers, batch, lr=0.0), reference) > 5e-4


def test_ranks_seeded_differently_must_still_start_from_rank_0s_weights():
    with pytest.raises(ValueError, match="keep 0"):
        ddp_step(2, 8, seed=3)
