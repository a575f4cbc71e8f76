"""Where the page's tensor comes from: the lesson's presets, typed text, or a factory function with a shape.

The same `TensorSource` drives the tensor on screen and the line of "the code" that builds it, so the two can't drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from playground.tensors.literal import TensorInputError, literal_source, parse_literal, parse_shape

# The four tensors of the lesson on PyTorch tensors, one per rank.
PRESETS = {
    "0D": "1",
    "1D": "[1, 2, 3]",
    "2D": "[[1, 2], [3, 4]]",
    "3D": "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]",
}
KINDS = ("preset", "typed", "random", "arange", "zeros", "ones")


@dataclass(frozen=True)
class TensorSource:
    kind: str = "preset"  # one of KINDS
    preset: str = "2D"  # key of PRESETS, used when kind == "preset"
    literal: str = "[[1, 2], [3, 4]]"  # used when kind == "typed"
    shape: str = "2, 3"  # used by the factories
    seed: int = 0  # random only: the same seed gives the same numbers on screen and in the code


def source_text(source: TensorSource) -> str:
    """The literal behind a preset or typed source."""
    if source.kind == "preset":
        if source.preset not in PRESETS:
            raise TensorInputError(f"Unknown preset {source.preset!r}; pick one of {', '.join(PRESETS)}.")
        return PRESETS[source.preset]
    return source.literal


def build_expression(source: TensorSource) -> str:
    """The PyTorch expression that builds the tensor; `build_tensor` evaluates exactly this (without eval)."""
    if source.kind in ("preset", "typed"):
        return f"torch.tensor({literal_source(source_text(source))})"
    shape = parse_shape(source.shape)
    args = ", ".join(str(s) for s in shape)
    if source.kind == "random":
        return f"torch.randn({args})"
    if source.kind == "arange":
        return f"torch.arange({_numel(shape)}).reshape({args})"
    if source.kind in ("zeros", "ones"):
        return f"torch.{source.kind}({args})"
    raise TensorInputError(f"Unknown source {source.kind!r}; pick one of {', '.join(KINDS)}.")


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def build_tensor(source: TensorSource) -> torch.Tensor:
    if source.kind not in KINDS:
        raise TensorInputError(f"Unknown source {source.kind!r}; pick one of {', '.join(KINDS)}.")
    if source.kind in ("preset", "typed"):
        return parse_literal(source_text(source))
    shape = parse_shape(source.shape)
    if source.kind == "random":
        generator = torch.Generator().manual_seed(int(source.seed))
        return torch.randn(shape, generator=generator)
    if source.kind == "arange":
        return torch.arange(_numel(shape)).reshape(shape)
    return torch.zeros(shape) if source.kind == "zeros" else torch.ones(shape)
