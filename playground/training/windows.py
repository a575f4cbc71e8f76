"""Which token windows each rank trains on, step by step, so that no two ranks ever read the same text.

The training token stream is cut into back-to-back windows of `context + 1` tokens (inputs and their next tokens).
Each pass over the text starts the cut at a new offset and shuffles the windows, with a generator seeded by the pass
number alone, so every rank computes the same order without talking to the others. A step takes the next
`world * batch * accum` windows of that order; rank r takes the r-th contiguous share and splits it into `accum`
micro-batches. So one step of N workers at batch B reads exactly the windows one process at batch N*B reads (the
equivalence DDP rests on), and within a pass no window is read twice, on any rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class WindowPlan:
    n_tokens: int  # length of the training token stream
    context: int  # tokens a window feeds the model (it holds one more: the last target)
    batch: int  # windows per micro-batch, on each rank
    accum: int = 1  # micro-batches per optimizer step (gradient accumulation)
    world: int = 1  # ranks
    seed: int = 0

    @property
    def max_offset(self) -> int:
        """Where a pass may start its first window: below `context`, if the stream has the tokens to spare."""
        return max(0, min(self.context - 1, self.n_tokens - 1 - self.context))

    @property
    def windows_per_pass(self) -> int:
        """The same for every pass, so that step -> (pass, position) is plain arithmetic."""
        return max(0, (self.n_tokens - 1 - self.max_offset) // self.context)

    @property
    def global_batch(self) -> int:
        """Windows one optimizer step reads, over all ranks and micro-batches."""
        return self.world * self.batch * self.accum

    @property
    def steps_per_pass(self) -> int:
        return self.windows_per_pass // self.global_batch

    def problem(self) -> str | None:
        """Why this text cannot feed this plan, in a sentence for the learner; None when it can."""
        if self.n_tokens < self.context + 1:
            return (
                f"The training text is {self.n_tokens:,} tokens long, too short for one window of "
                f"{self.context + 1:,} tokens (the context of {self.context:,} and one more to predict). "
                "Use a longer text or a shorter context."
            )
        if self.steps_per_pass == 0:
            return (
                f"The training text makes {self.windows_per_pass:,} windows of {self.context:,} tokens, fewer than one "
                f"step reads ({self.world} worker(s) x batch {self.batch} x {self.accum} accumulation step(s) = "
                f"{self.global_batch:,} windows). Use a longer text, a shorter context or a smaller batch."
            )
        return None

    def pass_order(self, pass_index: int) -> torch.Tensor:
        """Start positions of every window of one pass, in the order that pass reads them."""
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + pass_index)
        offset = int(torch.randint(self.max_offset + 1, (1,), generator=generator))
        order = torch.randperm(self.windows_per_pass, generator=generator)
        return offset + order * self.context

    def rank_starts(self, step: int, rank: int) -> torch.Tensor:
        """Start positions rank `rank` reads in optimizer step `step` (0-based): shape (accum, batch)."""
        pass_index, position = divmod(step, self.steps_per_pass)
        share = self.batch * self.accum
        first = position * self.global_batch + rank * share
        return self.pass_order(pass_index)[first : first + share].view(self.accum, self.batch)

    def pass_of(self, step: int) -> int:
        return step // self.steps_per_pass


def gather(ids: torch.Tensor, starts: torch.Tensor, context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets of the windows at `starts` (1-D): targets are the inputs moved on by one token."""
    rows = torch.stack([ids[s : s + context + 1] for s in starts.tolist()])
    return rows[:, :-1], rows[:, 1:]
