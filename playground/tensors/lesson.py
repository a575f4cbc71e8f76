"""The Tensors page in one call: settings in, everything the page shows out.

The page's pipeline is the lesson's: build x, optionally convert its dtype, optionally ask for gradients, apply one
operation. `TensorSettings` is the single set of parameters behind the numbers on screen, the URL and "the code".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.tensors import ops as tensor_ops
from playground.tensors.dtypes import Conversion, convert, dtype_name, lookup
from playground.tensors.literal import TensorInputError
from playground.tensors.source import TensorSource, build_expression, build_tensor

OPS = ("reshape", "transpose", "matmul", "elementwise", "reduce")
OP_LABELS = {
    "reshape": "reshape / view",
    "transpose": ".T / transpose / permute",
    "matmul": "matmul (@)",
    "elementwise": "x + y (broadcasting)",
    "reduce": "sum / mean",
}


@dataclass(frozen=True)
class TensorSettings:
    source: TensorSource = field(default_factory=TensorSource)
    dtype: str = "keep"  # "keep" or a key of tensor_dtypes.DTYPES: x = x.to(dtype)
    requires_grad: bool = False
    op: str = "reshape"
    # reshape / view
    new_shape: str = "4"
    method: str = "reshape"
    transpose_first: bool = False
    contiguous: bool = False
    # transpose
    transpose_kind: str = "T"
    dim0: int = 0
    dim1: int = 1
    perm: str = ""
    # matmul and elementwise: the other operand, typed
    matmul_other: str = "[[5, 6], [7, 8]]"
    row: int = 0
    col: int = 0
    elementwise_other: str = "[10, 20]"
    operator: str = "+"
    # reduce
    reduction: str = "sum"
    dim: int | None = 0  # None: over every element
    keepdim: bool = False


@dataclass(frozen=True)
class TensorFacts:
    rank: int
    shape: tuple[int, ...]
    dtype: str
    numel: int
    element_size: int  # bytes per element
    nbytes: int
    strides: tuple[int, ...]  # elements to skip in memory to move one step along each dim
    contiguous: bool
    device: str
    requires_grad: bool
    grad_fn: str | None  # the backward node that produced it, if autograd is recording


def facts(t: torch.Tensor) -> TensorFacts:
    return TensorFacts(
        rank=t.dim(),
        shape=tuple(t.shape),
        dtype=dtype_name(t.dtype),
        numel=t.numel(),
        element_size=t.element_size(),
        nbytes=t.numel() * t.element_size(),
        strides=tuple(t.stride()),
        contiguous=t.is_contiguous(),
        device=str(t.device),
        requires_grad=t.requires_grad,
        grad_fn=None if t.grad_fn is None else type(t.grad_fn).__name__,
    )


@dataclass
class Lesson:
    settings: TensorSettings
    build: str = ""  # the PyTorch expression that made x
    original: torch.Tensor | None = None  # x as built, before any .to()
    x: torch.Tensor | None = None  # x after the dtype step and requires_grad
    conversion: Conversion | None = None
    grad_error: str | None = None  # PyTorch's message when requires_grad is asked of a non-float tensor
    grad_explanation: str | None = None
    outcome: tensor_ops.OpOutcome | None = None
    error: str | None = None  # bad input: what is wrong and what to do
    op_error: str | None = None  # bad operation settings (e.g. an unreadable shape), same kind of message

    @property
    def facts(self) -> TensorFacts:
        return facts(self.x)

    @property
    def y(self) -> torch.Tensor | None:
        return None if self.outcome is None else self.outcome.result


def apply_op(x: torch.Tensor, s: TensorSettings) -> tensor_ops.OpOutcome:
    if s.op == "reshape":
        return tensor_ops.reshape(x, s.new_shape, s.method, s.transpose_first, s.contiguous)
    if s.op == "transpose":
        return tensor_ops.transpose(x, s.transpose_kind, s.dim0, s.dim1, s.perm)
    if s.op == "matmul":
        return tensor_ops.matmul(x, s.matmul_other, s.row, s.col)
    if s.op == "elementwise":
        return tensor_ops.elementwise(x, s.elementwise_other, s.operator)
    if s.op == "reduce":
        return tensor_ops.reduce(x, s.reduction, s.dim, s.keepdim)
    raise TensorInputError(f"Unknown operation {s.op!r}; pick one of {', '.join(OPS)}.")


def run(s: TensorSettings) -> Lesson:
    lesson = Lesson(settings=s)
    try:
        lesson.build = build_expression(s.source)
        lesson.original = x = build_tensor(s.source)
        if s.dtype != "keep":
            lesson.conversion = convert(x, lookup(s.dtype))
            x = lesson.conversion.after
    except TensorInputError as err:
        lesson.error = str(err)
        return lesson
    if s.requires_grad:
        try:
            x = x.clone().requires_grad_()  # clone: never flip the flag on a tensor someone else holds
        except RuntimeError as err:
            lesson.grad_error = str(err)
            lesson.grad_explanation = tensor_ops.explain(str(err))
    lesson.x = x
    try:
        lesson.outcome = apply_op(x, s)
    except TensorInputError as err:
        lesson.op_error = str(err)
    return lesson


def facts_markdown(lesson: Lesson) -> str:
    """The facts about x as a two-column markdown table (readable on a phone, unlike a row of metrics)."""
    f = lesson.facts
    rows = [
        ("shape", f"{f.shape} · rank {f.rank}"),
        ("dtype", f"{f.dtype} · {f.element_size} bytes each"),
        ("numel", f"{f.numel} · {f.nbytes} bytes in all"),
        ("strides", str(f.strides)),
        ("contiguous", f.contiguous),
        ("device", f.device),
        ("requires_grad", f.requires_grad),
    ]
    return "| x | |\n|---|---|\n" + "\n".join(f"| {name} | **{value}** |" for name, value in rows)
