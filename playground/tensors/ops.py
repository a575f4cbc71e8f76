"""The tensor operations of the lesson, each returning what a learner needs to see: before, after, the shapes, the rule
that connects them, and the same operation in NumPy.

When PyTorch refuses (a `view` of a transposed tensor, a matmul with mismatched inner sizes, a broadcast that cannot
line up), we keep PyTorch's own message, because that is what the learner will meet in their own code, and add a
sentence that explains it and says what to do.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.code_panels import safe_literal_eval
from playground.tensors.literal import (
    MAX_ELEMENTS,
    TensorInputError,
    literal_source,
    parse_dims,
    parse_literal,
    parse_shape,
)

OPERATORS = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}
NUMPY_OPERATORS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide}
MAX_DOT_TERMS = 6  # a dot product longer than this is written with "…"

# PyTorch's message -> what it means and what to do. Matched by substring, first match wins.
EXPLANATIONS = [
    (
        "view size is not compatible",
        "`view` never copies: it re-labels the *same memory* with new strides. After a transpose the elements are no "
        "longer stored row after row, so no set of strides can describe the new shape. Call `.contiguous()` first "
        "(it copies the data into row-major order), or use `.reshape()`, which copies only when it has to.",
    ),
    (
        "is invalid for input of size",
        "The new shape must hold exactly as many elements as the tensor has. Multiply your sizes and compare with "
        "numel, or write `-1` for one dimension and let PyTorch work it out.",
    ),
    (
        "cannot be multiplied",
        "For `A @ B` the inner sizes must agree: (m×**n**) @ (**n**×p) → (m×p). Make B's first size equal A's last "
        "size, for example by typing B with as many rows as A has columns (B = A.T always works).",
    ),
    (
        "must match the size of tensor",
        "Broadcasting lines the shapes up from the right. In every position the sizes must be equal, or one of them "
        "must be 1 (or missing). Change the other tensor so each size matches x's or is 1.",
    ),
    (
        "same dtype",
        "Matrix multiplication does not promote dtypes the way `+` does: both sides need the same dtype. Convert x "
        "(step 2) or type B with decimal points (floats) or without (ints) to match.",
    ),
    (
        "not implemented for",
        "This kernel does not exist for the dtype in the message. Convert to a float dtype such as float32 in step 2.",
    ),
    (
        "could not infer output dtype",
        "The mean of integers is usually not an integer, and PyTorch will not guess a dtype for you. Convert to a "
        "float dtype in step 2 (`x.float()`), or use sum. NumPy silently returns float64 here.",
    ),
    (
        "floating point dtype can require gradients",
        "Gradients are about small changes, and integers cannot change a little. Convert x to a float dtype in step 2 "
        "(e.g. float32) and the toggle will work.",
    ),
    (
        "out of range",
        "Dimensions are counted from 0 up to rank − 1 (or −1 for the last). Pick a dimension the tensor has.",
    ),
    (
        "does not match the length of the desired ordering",
        "permute needs every dimension exactly once: list 0 … rank − 1 in the order you want.",
    ),
    (
        "duplicate dims",
        "permute needs every dimension exactly once: list 0 … rank − 1 in the order you want.",
    ),
]


def explain(message: str) -> str:
    for needle, text in EXPLANATIONS:
        if needle in message:
            return text
    return "PyTorch refused this operation; its message above says why."


@dataclass
class Panel:
    title: str
    tensor: torch.Tensor
    highlight: list[tuple[int, ...]] = field(default_factory=list)  # cells to outline (indices into the tensor)


@dataclass
class OpOutcome:
    expression: str  # the PyTorch line, e.g. "y = x.view(4, -1)"; "the code" uses the same text
    inputs: list[Panel]
    output: Panel | None = None
    notes: list[str] = field(default_factory=list)  # markdown: the rule that connects the shapes
    table: list[dict] | None = None  # broadcasting: one row per dimension
    error: str | None = None  # PyTorch's own message
    explanation: str | None = None
    fix: str | None = None  # a setting that would make it work, said in words
    numpy_expression: str = ""
    numpy_result: np.ndarray | None = None
    numpy_note: str = ""
    cell: tuple[int, ...] | None = None  # matmul: the output cell whose dot product is written out
    cell_expression: str = ""  # its row of x and column of B, as "the code" picks them

    @property
    def result(self) -> torch.Tensor | None:
        return None if self.output is None else self.output.tensor


def shape_str(t: torch.Tensor | np.ndarray | tuple[int, ...]) -> str:
    shape = tuple(t) if isinstance(t, tuple) else tuple(t.shape)
    return "()" if not shape else "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def to_numpy(x: torch.Tensor) -> tuple[np.ndarray, str]:
    """NumPy's copy of x and how to get it; NumPy has no bfloat16, so that one goes through float32."""
    if x.dtype == torch.bfloat16:
        return x.detach().float().numpy(), "x.detach().float().numpy()  # NumPy has no bfloat16"
    return x.detach().numpy(), "x.detach().numpy()"


def _attempt(outcome: OpOutcome, compute) -> torch.Tensor | None:
    """Run one PyTorch call; on refusal keep its message and explain it instead of raising."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = compute()
        except (RuntimeError, IndexError, ValueError, TypeError) as err:
            outcome.error = str(err).split("\n")[0]
            outcome.explanation = explain(outcome.error)
            return None
    for w in caught:
        outcome.notes.append(f"⚠️ PyTorch warns: {str(w.message).split(' (Triggered')[0]}")
    return result


def _numpy_side(outcome: OpOutcome, expression: str, compute, note: str = "") -> None:
    outcome.numpy_expression = expression
    outcome.numpy_note = note
    with np.errstate(all="ignore"):
        try:
            outcome.numpy_result = np.asarray(compute())
        except (ValueError, IndexError, TypeError, np.exceptions.AxisError) as err:
            outcome.numpy_note = (note + " " if note else "") + f"NumPy refuses too: {err}"


def _too_big(outcome: OpOutcome, compute_on_meta) -> bool:
    """Work out the result's shape on the meta device (no memory, no arithmetic) and refuse one over the cap.

    Broadcasting (10000, 1) against (10000,) or multiplying (10000, 1) @ (1, 10000) would make 10^8 numbers.
    """
    try:
        numel = compute_on_meta().numel()
    except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError):
        return False  # the real call will raise, with PyTorch's own message
    if numel <= MAX_ELEMENTS:
        return False
    outcome.error = f"The result would have {numel:,} elements; this page caps tensors at {MAX_ELEMENTS:,}."
    outcome.explanation = "Use smaller tensors: the result's size is the product of its dimensions."
    return True


def _meta(t: torch.Tensor) -> torch.Tensor:
    return torch.empty(t.shape, dtype=t.dtype, device="meta")


def shares_memory(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def reshape(
    x: torch.Tensor, shape_text: str, method: str = "reshape", transpose_first: bool = False, contiguous: bool = False
) -> OpOutcome:
    """reshape or view, optionally of x.T (non-contiguous), optionally made contiguous first."""
    if method not in ("reshape", "view"):
        raise TensorInputError(f"Unknown method {method!r}; use reshape or view.")
    shape = parse_shape(shape_text, allow_infer=True)
    if transpose_first and x.dim() != 2:
        raise TensorInputError("“Transpose first” needs a 2D tensor (x.T); pick a 2D tensor or untick it.")
    args = ", ".join(str(s) for s in shape)
    source = "x.T" if transpose_first else "x"
    chain = source + (".contiguous()" if contiguous else "")
    outcome = OpOutcome(expression=f"y = {chain}.{method}({args})", inputs=[Panel("x " + shape_str(x), x)])
    start = x.T if transpose_first else x
    if transpose_first:
        outcome.inputs.append(Panel(f"x.T {shape_str(start)} (contiguous: {start.is_contiguous()})", start))
    if contiguous:
        start = start.contiguous()
    y = _attempt(outcome, lambda: getattr(start, method)(shape))
    if y is not None:
        outcome.output = Panel(f"y {shape_str(y)}", y)
        same = shares_memory(x, y)
        outcome.notes.append(
            f"{shape_str(x if not transpose_first else x.T)} → {shape_str(y)}: numel stays {y.numel()}. "
            + (
                "y is a **view**: it shares x's memory, so writing into y changes x."
                if same
                else "y is a **copy**: new memory, with the elements in row-major order."
            )
        )
    elif method == "view" and "view size" in (outcome.error or ""):
        outcome.fix = "Tick “call .contiguous() first”, or switch the method to reshape."
    a, how = to_numpy(x)
    np_source = "x_np.T" if transpose_first else "x_np"
    _numpy_side(
        outcome,
        f"x_np = {how}\ny_np = {np_source}.reshape({args})",
        lambda: (a.T if transpose_first else a).reshape(shape),
        "NumPy has no `.view(shape)` (its `view` reinterprets the dtype); `reshape` copies when it must, "
        "like torch.reshape."
        if method == "view"
        else "",
    )
    return outcome


def transpose(x: torch.Tensor, kind: str = "T", dim0: int = 0, dim1: int = 1, perm_text: str = "") -> OpOutcome:
    """`.T`, `transpose(d0, d1)` or `permute(...)`: all three only change strides, never the data."""
    a, how = to_numpy(x)
    if kind == "T":
        outcome = OpOutcome("y = x.T", [Panel("x " + shape_str(x), x)])
        y = _attempt(outcome, lambda: x.T)
        np_expr, np_fn = "y_np = x_np.T", lambda: a.T
    elif kind == "transpose":
        outcome = OpOutcome(f"y = x.transpose({dim0}, {dim1})", [Panel("x " + shape_str(x), x)])
        y = _attempt(outcome, lambda: x.transpose(dim0, dim1))
        np_expr, np_fn = f"y_np = np.swapaxes(x_np, {dim0}, {dim1})", lambda: np.swapaxes(a, dim0, dim1)
    elif kind == "permute":
        perm = parse_dims(perm_text) if perm_text.strip() else tuple(reversed(range(x.dim())))
        args = ", ".join(str(d) for d in perm)
        outcome = OpOutcome(f"y = x.permute({args})", [Panel("x " + shape_str(x), x)])
        y = _attempt(outcome, lambda: x.permute(perm))
        np_expr, np_fn = (
            f"y_np = np.transpose(x_np, ({args}{',' if len(perm) == 1 else ''}))",
            lambda: np.transpose(a, perm),
        )
    else:
        raise TensorInputError(f"Unknown kind {kind!r}; use T, transpose or permute.")
    if y is not None:
        outcome.output = Panel(f"y {shape_str(y)}", y)
        outcome.notes.append(
            f"{shape_str(x)} → {shape_str(y)}. Strides {tuple(x.stride())} → {tuple(y.stride())}: the same memory "
            f"read in a different order, so y is a view (contiguous: {y.is_contiguous()})."
        )
    _numpy_side(outcome, f"x_np = {how}\n{np_expr}", np_fn)
    return outcome


def _matrix_side(batch: tuple[int, ...], rows, cols, bold: str = "") -> str:
    """One side of the shape rule, e.g. (2, 2×**3**): batch dims first, then the matrix, its inner size in bold;
    a 1D side has a missing size, written ·."""
    rows, cols = ("·" if size is None else str(size) for size in (rows, cols))
    rows, cols = f"**{rows}**" if bold == "rows" else rows, f"**{cols}**" if bold == "cols" else cols
    return "(" + "".join(f"{size}, " for size in batch) + f"{rows}×{cols})"


def matmul_shape_rule(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> str:
    """The shape rule of A @ B for 1D and up: the matrices' inner sizes must agree, the batch dims broadcast."""
    m, n_a = (a_shape[-2], a_shape[-1]) if len(a_shape) >= 2 else (None, a_shape[-1])
    n_b, p = (b_shape[-2], b_shape[-1]) if len(b_shape) >= 2 else (b_shape[0], None)
    batch_a, batch_b = tuple(a_shape[:-2]), tuple(b_shape[:-2])
    rule = f"Shape rule: {_matrix_side(batch_a, m, n_a, 'cols')} @ {_matrix_side(batch_b, n_b, p, 'rows')} → "
    inner = f"inner sizes {n_a} and {n_b} {'✅' if n_a == n_b else '❌'}"
    if not batch_a and not batch_b:
        return f"{rule}{_matrix_side((), m, p)} — {inner}"
    try:
        batch = tuple(torch.broadcast_shapes(batch_a, batch_b))
    except RuntimeError:
        return f"{rule}(batch dims don't broadcast) — {inner}, batch dims {batch_a or '()'} and {batch_b or '()'} ❌"
    shape = (*batch, *(size for size in (m, p) if size is not None))  # the 1D side's missing size is dropped
    return (
        f"{rule}{_matrix_side(batch, m, p)} = {shape_str(torch.empty(shape, device='meta'))} — {inner}, "
        f"batch dims {batch_a or '()'} and {batch_b or '()'} → {batch} ✅"
    )


def batch_dims_note(a_shape: tuple[int, ...], b_shape: tuple[int, ...], rows: list[dict]) -> str:
    """What the batch dims are, and how this pair of shapes broadcasts them."""
    text = (
        "**Batch dims.** The last two dims of each side are its matrices; every dim before them counts matrices. "
        "`@` multiplies them pair by pair, C[b] = A[b] @ B[b], and the batch dims broadcast the way `+` does "
        "(table): lined up from the right, the sizes must be equal, or one of them 1 or missing, and that one is "
        "stretched."
    )
    if len(b_shape) == 2:
        text += " Here B has no batch dims, so the same B multiplies every matrix of A."
    elif len(a_shape) == 2:
        text += " Here A has no batch dims, so the same A multiplies every matrix of B."
    for row in rows:
        if row["A"] == "1" and row["result"] != "1":
            text += f" A's batch dim {row['dim']} has size 1: its one matrix is reused for all {row['result']}."
        if row["B"] == "1" and row["result"] != "1":
            text += f" B's batch dim {row['dim']} has size 1: its one matrix is reused for all {row['result']}."
    return text


def _index(lead: tuple[int, ...], batch: tuple[int, ...]) -> tuple[int, ...]:
    """The batch index of one operand behind output batch `lead`: its dims line up with lead's last ones, and a
    size-1 dim, stretched by broadcasting, is always index 0."""
    tail = lead[len(lead) - len(batch) :] if batch else ()
    return tuple(0 if size == 1 else k for k, size in zip(tail, batch, strict=True))


def _named(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(map(str, index))}]" if index else name


@dataclass(frozen=True)
class Cell:
    """An output cell of A @ B and where its dot product comes from, every index a tuple into its own tensor."""

    out: tuple[int, ...]  # (batch…, i, j) into C
    a: tuple[int, ...]  # A's batch index (empty if A has no batch dims)
    b: tuple[int, ...]
    i: int
    j: int
    moved: list[str]  # the learner's choices that were past the end of C, and what is shown instead


def pick_cell(a_shape, b_shape, out_shape, batch: int, row: int, col: int) -> Cell:
    """The cell (batch, row, col) of C, each clamped into C's shape; `batch` counts C's matrices in order, so a
    result with two batch dims (2, 3, m, p) numbers its matrices 0…5."""
    batch_shape = tuple(out_shape[:-2])
    count, rows, cols = math.prod(batch_shape), out_shape[-2], out_shape[-1]
    moved = []

    def clamp(value: int, size: int, what: str) -> int:
        kept = min(max(value, 0), size - 1)
        if kept != value:
            moved.append(f"{what} {value} is out of range 0…{size - 1}; showing {what} {kept}")
        return kept

    k = clamp(batch, count, "batch") if batch_shape else 0
    i, j = clamp(row, rows, "row"), clamp(col, cols, "column")
    lead = tuple(int(n) for n in np.unravel_index(k, batch_shape)) if batch_shape else ()
    return Cell((*lead, i, j), _index(lead, tuple(a_shape[:-2])), _index(lead, tuple(b_shape[:-2])), i, j, moved)


def _dot_product_note(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, cell: Cell) -> str:
    row, col = a[cell.a][cell.i].tolist(), b[cell.b][:, cell.j].tolist()
    terms = [f"{_fmt(p)}·{_fmt(q)}" for p, q in zip(row, col, strict=True)]
    if len(terms) > MAX_DOT_TERMS:
        terms = terms[:3] + ["…"] + terms[-2:]
    i, j = cell.i, cell.j
    a_k = f"A[{''.join(f'{n}, ' for n in (*cell.a, i))}k]"
    b_k = f"B[{''.join(f'{n}, ' for n in cell.b)}k, {j}]"
    note = (
        f"**{_named('C', cell.out)}** = row {i} of {_named('A', cell.a)} · column {j} of {_named('B', cell.b)} = "
        f"Σₖ {a_k}·{b_k} = {' + '.join(terms)} = **{_fmt(c[cell.out].item())}**"
    )
    return note + "".join(f" ({m}.)" for m in cell.moved)


def _fmt(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def matmul(x: torch.Tensor, other_text: str, row: int = 0, col: int = 0, batch: int = 0) -> OpOutcome:
    """x @ B, with the shape rule (batch dims and all) and the dot product behind output cell (batch, row, col)."""
    b = parse_literal(other_text)
    outcome = OpOutcome(
        f"B = torch.tensor({literal_source(other_text)})\ny = x @ B",
        [Panel("A = x " + shape_str(x), x), Panel("B " + shape_str(b), b)],
    )
    if x.dim() >= 1 and b.dim() >= 1:
        outcome.notes.append(matmul_shape_rule(tuple(x.shape), tuple(b.shape)))
        if max(x.dim(), b.dim()) >= 3 and min(x.dim(), b.dim()) >= 2:
            batch_a, batch_b = tuple(x.shape[:-2]), tuple(b.shape[:-2])
            outcome.table = broadcast_table(batch_a, batch_b, names=("A", "B"))
            outcome.notes.append(batch_dims_note(tuple(x.shape), tuple(b.shape), outcome.table))
    else:
        outcome.notes.append("A 0D tensor (a scalar) has no rows or columns: matmul needs at least 1D on both sides.")
    y = None if _too_big(outcome, lambda: _meta(x) @ _meta(b)) else _attempt(outcome, lambda: x @ b)
    if y is not None:
        outcome.output = Panel("C = A @ B " + shape_str(y), y)
        if x.dim() >= 2 and b.dim() >= 2:
            cell = pick_cell(tuple(x.shape), tuple(b.shape), tuple(y.shape), batch, row, col)
            outcome.inputs[0].highlight = [(*cell.a, cell.i, k) for k in range(x.shape[-1])]
            outcome.inputs[1].highlight = [(*cell.b, k, cell.j) for k in range(b.shape[-2])]
            outcome.output.highlight = [cell.out]
            outcome.notes.append(_dot_product_note(x, b, y, cell))
            outcome.cell = cell.out
            outcome.cell_expression = (
                f"x_row = x[{', '.join(map(str, (*cell.a, cell.i)))}, :]\n"
                f"B_column = B[{''.join(f'{n}, ' for n in cell.b)}:, {cell.j}]"
            )
        elif x.dim() == 1 and b.dim() == 1:
            outcome.notes.append("1D @ 1D is the dot product: Σₖ A[k]·B[k] = " + _fmt(y.item()))
    a, how = to_numpy(x)
    _numpy_side(
        outcome,
        f"x_np = {how}\nB_np = np.array({literal_source(other_text)})\ny_np = x_np @ B_np",
        lambda: a @ np.array(safe_literal_eval(other_text)),
        "NumPy promotes mixed int/float operands in `@`; PyTorch wants matching dtypes." if x.dtype != b.dtype else "",
    )
    return outcome


def broadcast_table(
    a_shape: tuple[int, ...], b_shape: tuple[int, ...], names: tuple[str, str] = ("x", "other")
) -> list[dict]:
    """One row per dimension, counted from the right, which is how broadcasting lines shapes up."""
    a_name, b_name = names
    rank = max(len(a_shape), len(b_shape))
    rows = []
    for pos in range(rank):
        da = a_shape[pos - rank + len(a_shape)] if pos - rank + len(a_shape) >= 0 else None
        db = b_shape[pos - rank + len(b_shape)] if pos - rank + len(b_shape) >= 0 else None
        sa, sb = 1 if da is None else da, 1 if db is None else db
        if sa == sb:
            rule, size = "equal", str(sa)
        elif sa == 1:
            rule = f"{a_name} has no such dim → 1, stretched" if da is None else f"{a_name} is 1 → stretched"
            size = str(sb)
        elif sb == 1:
            rule = f"{b_name} has no such dim → 1, stretched" if db is None else f"{b_name} is 1 → stretched"
            size = str(sa)
        else:
            rule, size = "❌ different and neither is 1", "—"
        rows.append(
            {
                "dim": pos,
                a_name: "·" if da is None else str(da),
                b_name: "·" if db is None else str(db),
                "result": size,
                "rule": rule,
            }
        )
    return rows


def elementwise(x: torch.Tensor, other_text: str, operator: str = "+") -> OpOutcome:
    """x (op) other, with the broadcasting of both shapes drawn dimension by dimension."""
    if operator not in OPERATORS:
        raise TensorInputError(f"Unknown operator {operator!r}; use one of {' '.join(OPERATORS)}.")
    b = parse_literal(other_text)
    outcome = OpOutcome(
        f"other = torch.tensor({literal_source(other_text)})\ny = x {operator} other",
        [Panel("x " + shape_str(x), x), Panel("other " + shape_str(b), b)],
    )
    outcome.table = broadcast_table(tuple(x.shape), tuple(b.shape))
    y = (
        None
        if _too_big(outcome, lambda: OPERATORS[operator](_meta(x), _meta(b)))
        else _attempt(outcome, lambda: OPERATORS[operator](x, b))
    )
    if y is not None:
        expanded = b.broadcast_to(y.shape)
        if tuple(expanded.shape) != tuple(b.shape):
            outcome.inputs.append(Panel(f"other stretched to {shape_str(y)} (no copy: stride 0)", expanded))
        outcome.output = Panel(f"y = x {operator} other {shape_str(y)}", y)
        outcome.notes.append(
            f"{shape_str(x)} {operator} {shape_str(b)} → {shape_str(y)}, dtype {str(y.dtype).removeprefix('torch.')}. "
            f"Stretched tensors are never copied: `broadcast_to` gives strides {tuple(expanded.stride())}, "
            "a stride of 0 repeats the same number."
        )
    a, how = to_numpy(x)
    _numpy_side(
        outcome,
        f"x_np = {how}\nother_np = np.array({literal_source(other_text)})\ny_np = x_np {operator} other_np",
        lambda: NUMPY_OPERATORS[operator](a, np.array(safe_literal_eval(other_text))),
        "NumPy broadcasts by the same rule (PyTorch copied it).",
    )
    return outcome


def reduce(x: torch.Tensor, reduction: str = "sum", dim: int | None = None, keepdim: bool = False) -> OpOutcome:
    """sum or mean over one dim (or all of them): that dim disappears, or stays as size 1 with keepdim."""
    if reduction not in ("sum", "mean"):
        raise TensorInputError(f"Unknown reduction {reduction!r}; use sum or mean.")
    if dim is None:
        expression = f"y = x.{reduction}()"
        compute = lambda: getattr(x, reduction)()  # noqa: E731
    else:
        expression = f"y = x.{reduction}(dim={dim}{', keepdim=True' if keepdim else ''})"
        compute = lambda: getattr(x, reduction)(dim=dim, keepdim=keepdim)  # noqa: E731
    outcome = OpOutcome(expression, [Panel("x " + shape_str(x), x)])
    y = _attempt(outcome, compute)
    if y is not None:
        outcome.output = Panel(f"y {shape_str(y)}", y)
        if dim is None:
            outcome.notes.append(f"All {x.numel()} elements collapse to one number: {shape_str(x)} → ().")
        else:
            d = dim % max(x.dim(), 1)
            outcome.notes.append(
                f"dim={dim} is the axis of size {x.shape[d] if x.dim() else 1} that gets collapsed: "
                f"{shape_str(x)} → {shape_str(y)}"
                + (" (kept as size 1, so y still broadcasts against x)." if keepdim else ".")
            )
    a, how = to_numpy(x)
    axis = "" if dim is None else f"axis={dim}" + (", keepdims=True" if keepdim else "")
    note = (
        "NumPy happily averages integers and returns float64."
        if reduction == "mean" and not (x.dtype.is_floating_point)
        else ""
    )
    _numpy_side(
        outcome,
        f"x_np = {how}\ny_np = x_np.{reduction}({axis})",
        lambda: getattr(a, reduction)(**({} if dim is None else {"axis": dim, "keepdims": keepdim})),
        note,
    )
    return outcome
