"""The Tensors page in one call: settings in, everything the page shows out.

The page's pipeline is the lesson's: build x, optionally convert its dtype, optionally ask for gradients, apply one
operation. `TensorSettings` is the single set of parameters behind the numbers on screen, the URL and "the code".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.tensors import ops as tensor_ops
from playground.tensors.dtypes import Conversion, convert, dtype_name, lookup
from playground.tensors.literal import TensorInputError, parse_literal
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
class Control:
    """One control of an operation, in the row under "Operate on it": which setting it sets, under which link
    parameter, and how (a `select` over `choices`, a `number` between the two `choices`, a `text`, a `check`)."""

    field: str
    param: str
    label: str
    kind: str
    choices: tuple = ()
    when: str = ""  # only for this kind of transpose, or "batched": only when x @ B has batch dims


OPERATION_CONTROLS = {
    "reshape": (
        Control("method", "method", "Method", "select", ("reshape", "view")),
        Control("new_shape", "new_shape", "New shape (one size may be -1)", "text"),
        Control("transpose_first", "t_first", "Transpose first (x.T)", "check"),
        Control("contiguous", "contiguous", "Call .contiguous() first", "check"),
    ),
    "transpose": (
        Control("transpose_kind", "t_kind", "Kind", "select", ("T", "transpose", "permute")),
        Control("dim0", "dim0", "dim0", "number", (-4, 3), when="transpose"),
        Control("perm", "perm", "Dims in their new order (empty: reversed)", "text", when="permute"),
        Control("dim1", "dim1", "dim1", "number", (-4, 3), when="transpose"),
    ),
    "matmul": (
        Control("matmul_other", "B", "B (nested list)", "text"),
        Control("batch", "batch", "Batch b (which matrix of C)", "number", (0, 99), when="batched"),
        Control("row", "row", "Output row i", "number", (0, 99)),
        Control("col", "col", "Output column j", "number", (0, 99)),
    ),
    "elementwise": (
        Control("operator", "operator", "Operator", "select", tuple(tensor_ops.OPERATORS)),
        Control("elementwise_other", "other", "other (nested list)", "text"),
    ),
    "reduce": (
        Control("reduction", "reduction", "Reduction", "select", ("sum", "mean")),
        Control("dim", "dim", "Over dim", "select", ("all", "0", "1", "2", "3")),
        Control("keepdim", "keepdim", "keepdim=True", "check"),
    ),
}


def controls(op: str, chosen: dict, source: TensorSource | None = None):
    """The controls of `op` to draw, one at a time: whether the next is drawn depends on what the earlier ones
    chose (a transpose's kind, matmul's B beside the `source` of x), so put each control's value into `chosen`
    before asking for the next."""
    for c in OPERATION_CONTROLS[op]:
        if c.when == "batched":
            if source is not None and batched(source, chosen.get("matmul_other", TensorSettings.matmul_other)):
                yield c
        elif not c.when or chosen.get("transpose_kind") == c.when:
            yield c


def batched(source: TensorSource, other_text: str) -> bool:
    """Whether x @ B has batch dims for the batch control to pick from: both sides matrices, one of them stacked.
    Input that can't be read has none; the page says what is wrong with it further down."""
    try:
        ranks = build_tensor(source).dim(), parse_literal(other_text).dim()
    except TensorInputError:
        return False
    return min(ranks) >= 2 and max(ranks) >= 3


def control_default(control: Control):
    """What a control shows before the learner touches it: the setting's own default, as the control writes it."""
    value = getattr(TensorSettings(), control.field)
    return ("all" if value is None else str(value)) if control.field == "dim" else value


def operation_settings(chosen: dict) -> dict:
    """The controls' values as TensorSettings fields: the reduction's "all" dims is `dim=None`."""
    if "dim" in chosen:
        chosen = {**chosen, "dim": None if chosen["dim"] == "all" else int(chosen["dim"])}
    return chosen


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
    batch: int = 0  # which matrix of a batched result, counted in order over its batch dims
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
        return tensor_ops.matmul(x, s.matmul_other, s.row, s.col, s.batch)
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
    return "| property of x | value |\n|---|---|\n" + "\n".join(f"| {name} | **{value}** |" for name, value in rows)
