"""`.to(dtype)` and what it costs: which elements changed, and why (rounding, overflow, truncation, collapse to bool).

PyTorch converts silently. The lesson is in comparing every element before and after, in float64 where all the
page's dtypes are exact, so a learner sees e.g. that 300 becomes 44 in int8 and 0.1 becomes 0.0999755859375 in float16.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.tensors.literal import TensorInputError

DTYPES = {
    "float64": torch.float64,
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
MAX_LISTED = 12  # a table of every changed element of a 10,000-element tensor helps nobody


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def lookup(name: str) -> torch.dtype:
    if name not in DTYPES:
        raise TensorInputError(f"Unknown dtype {name!r}; pick one of {', '.join(DTYPES)}.")
    return DTYPES[name]


def value_range(dtype: torch.dtype) -> tuple[float, float]:
    if dtype == torch.bool:
        return 0.0, 1.0
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    return float(info.min), float(info.max)


@dataclass
class Change:
    index: tuple[int, ...]
    before: float
    after: float
    reason: str  # "rounding", "overflow", "truncation" or "collapsed to bool"


@dataclass
class Conversion:
    before: torch.Tensor
    after: torch.Tensor
    changed: int = 0  # how many elements no longer hold the same value
    counts: dict[str, int] = field(default_factory=dict)  # reason -> how many elements
    examples: list[Change] = field(default_factory=list)  # the first few, to show in a table
    max_abs_error: float = 0.0  # over the elements that stayed finite and in range

    @property
    def lossless(self) -> bool:
        return self.changed == 0


def _reason(before: float, after: float, target: torch.dtype) -> str:
    if target == torch.bool:
        return "collapsed to bool"
    if target.is_floating_point:
        # Just above the largest float16 still rounds down to it; only a jump to inf is an overflow.
        return "overflow" if abs(after) == float("inf") and abs(before) != float("inf") else "rounding"
    low, high = value_range(target)
    if before != before or before < low or before > high:  # NaN or out of range
        return "overflow"
    if not target.is_floating_point and before != int(before):
        return "truncation"
    return "rounding"


def convert(x: torch.Tensor, target: torch.dtype) -> Conversion:
    """Convert and account for every element that changed."""
    after = x.detach().to(target)
    old, new = x.detach().to(torch.float64).reshape(-1), after.to(torch.float64).reshape(-1)
    differs = ~((old == new) | (old.isnan() & new.isnan()))
    result = Conversion(before=x, after=after, changed=int(differs.sum()))
    positions = differs.nonzero().reshape(-1).tolist()
    shape = tuple(x.shape)
    for flat in positions:
        reason = _reason(old[flat].item(), new[flat].item(), target)
        result.counts[reason] = result.counts.get(reason, 0) + 1
        if len(result.examples) < MAX_LISTED:
            index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), shape)) if shape else ()
            result.examples.append(Change(index, old[flat].item(), new[flat].item(), reason))
    finite = differs & new.isfinite() & old.isfinite()
    if target != torch.bool and bool(finite.any()):
        result.max_abs_error = float((old[finite] - new[finite]).abs().max())
    return result


EXPLANATIONS = {
    "rounding": "the nearest value the dtype can hold was used (fewer mantissa bits)",
    "overflow": "the value is outside the dtype's range: floats become inf, integers wrap around or become garbage",
    "truncation": "converting a float to an integer drops the fractional part (towards zero)",
    "collapsed to bool": "every non-zero becomes True (1), so the magnitude is gone",
}


def summary(c: Conversion) -> str:
    """One markdown sentence: how many values changed and why."""
    call = f"`.to(torch.{dtype_name(c.after.dtype)})`"
    if c.lossless:
        return f"{call} kept every value exactly ({dtype_name(c.before.dtype)} → {dtype_name(c.after.dtype)})."
    reasons = "; ".join(f"**{n} {reason}** ({EXPLANATIONS[reason]})" for reason, n in c.counts.items())
    return f"{call} changed **{c.changed} of {c.before.numel()}** values: {reasons}"


def example_rows(c: Conversion) -> list[dict]:
    return [{"index": str(list(e.index)), "before": e.before, "after": e.after, "why": e.reason} for e in c.examples]
