"""Turn what a learner types into a tensor or a shape, safely.

Typed text is parsed as *data* with `ast.literal_eval`, never run, and checked before torch sees it, so every mistake
(a ragged row, a word where a number belongs, a tensor too big for a page) comes back as one sentence that says what is
wrong and what to do instead of a traceback. What the learner typed comes back in a message only through `quoted`,
so a backtick in the box can't turn the rest of it into markdown.
"""

from __future__ import annotations

import math

import torch

from playground.code_panels import safe_literal_eval
from playground.url_values import quoted

MAX_ELEMENTS = 10_000  # a heatmap and a page stay readable, and nothing a learner types can exhaust memory
MAX_RANK = 4  # 4D is the deepest a page can still draw as a grid of 2D slices
MAX_TEXT = 200_000  # literal_eval builds the whole syntax tree first: cap the text before parsing it
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class TensorInputError(ValueError):
    """Bad input from the learner. The message is shown on the page as it is, so it must say what to do."""


def _describe_path(path: tuple[int, ...]) -> str:
    return "the top level" if not path else "x" + "".join(f"[{i}]" for i in path)


def _shape_of(value, path: tuple[int, ...] = ()) -> tuple[int, ...]:
    """Shape of a nested list of numbers; raises on ragged rows or anything that is not a number."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return ()
    if isinstance(value, complex):
        raise TensorInputError(
            f"{quoted(repr(value))} at {_describe_path(path)} is a complex number; this page works with real numbers "
            "only."
        )
    if not isinstance(value, (list, tuple)):
        raise TensorInputError(
            f"{quoted(repr(value))} at {_describe_path(path)} is not a number. A tensor holds numbers only: use ints "
            "like 3, "
            "floats like 2.5, or True/False."
        )
    if len(value) == 0:
        raise TensorInputError(
            f"The list at {_describe_path(path)} is empty. Put at least one number in every list, e.g. [1, 2, 3]."
        )
    if len(path) >= MAX_RANK:
        raise TensorInputError(
            f"Lists are nested more than {MAX_RANK} deep; this page caps the rank at {MAX_RANK}. Remove a level of "
            "brackets."
        )
    shapes = [_shape_of(item, path + (i,)) for i, item in enumerate(value)]
    for i, shape in enumerate(shapes[1:], start=1):
        if shape != shapes[0]:
            where = _describe_path(path)
            raise TensorInputError(
                f"Ragged input: inside {where}, item {i} has shape {list(shape)} but item 0 has shape "
                f"{list(shapes[0])}. A tensor is a rectangular grid: every row at the same depth needs the same "
                "number of entries."
            )
    return (len(value),) + shapes[0]


def _as_float(number: int) -> str:
    """What to type instead of an int too big for int64: the float near it, if float32 (the page's float) holds it."""
    if abs(number) < 3.4e38:
        return f"Write it as a float, e.g. {float(number):.3g}."
    return "It is too big even for a float32 (at most about 3.4e38): use a smaller number."


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def parse_literal(text: str) -> torch.Tensor:
    """A nested list like `[[1, 2], [3, 4]]` becomes a tensor with torch's own dtype rule (ints -> int64, floats ->
    float32)."""
    text = (text or "").strip()
    if not text:
        raise TensorInputError("The box is empty. Type a number like 1 or a nested list like [[1, 2], [3, 4]].")
    if len(text) > MAX_TEXT:
        raise TensorInputError(f"The text is {len(text):,} characters long; keep it under {MAX_TEXT:,}.")
    try:
        value = safe_literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as err:
        raise TensorInputError(
            f"Could not read {quoted(text)} as a nested list of numbers "
            f"({type(err).__name__}). Check the brackets and commas, e.g. [[1, 2], [3, 4]]."
        ) from None
    shape = _shape_of(value)
    numel = math.prod(shape)
    if numel > MAX_ELEMENTS:
        raise TensorInputError(f"That is {numel:,} numbers; this page caps a tensor at {MAX_ELEMENTS:,} elements.")
    for number in _flatten(value):
        if isinstance(number, int) and not isinstance(number, bool) and not INT64_MIN <= number <= INT64_MAX:
            raise TensorInputError(
                f"{quoted(number)} does not fit in int64 (the dtype Python ints become). {_as_float(number)}"
            )
    return torch.tensor(value)


def _source(value) -> str:
    """Python source for a parsed literal. A float too big for a double (`1e309`) was read as inf, whose repr is a
    bare `inf`: a NameError in a script, so it is written `float("inf")`."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_source(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    return repr(value)


def literal_source(text: str) -> str:
    """The typed literal rewritten canonically for "the code": a comment or odd spacing in the box can't break it,
    and the code runs for every value the page accepts."""
    parse_literal(text)  # validate first: same message as everywhere else
    return _source(safe_literal_eval(text.strip()))


def _whole_numbers(text: str, what: str, example: str, looks: str) -> tuple[int, ...]:
    """`2, 3`, `(2, 3)` or `[2, 3]` as a tuple of ints; the messages name `what` was asked for and how it `looks`."""
    try:
        value = safe_literal_eval(text if text.startswith(("(", "[")) else f"({text},)")
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        raise TensorInputError(
            f"Could not read {quoted(text)} as {what}. Type whole numbers separated by commas, e.g. {example}."
        ) from None
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise TensorInputError(f"{quoted(text)} is not a list of whole numbers. {looks}")
    if len(value) > MAX_RANK:
        raise TensorInputError(f"{len(value)} dimensions is more than this page's cap of {MAX_RANK}.")
    return tuple(value)


def parse_shape(text: str, *, allow_infer: bool = False) -> tuple[int, ...]:
    """`2, 3` or `(2, 3)` becomes (2, 3). With `allow_infer`, one `-1` may stand for 'whatever is left', as in
    reshape."""
    text = (text or "").strip()
    if not text:
        raise TensorInputError("The shape is empty. Type sizes separated by commas, e.g. 2, 3.")
    value = _whole_numbers(text, "a shape", "2, 3", "A shape looks like 2, 3 or 4, -1.")
    infer = [v for v in value if v == -1]
    if infer and not allow_infer:
        raise TensorInputError("-1 only makes sense in reshape/view. Give every size here, e.g. 2, 3.")
    if len(infer) > 1:
        raise TensorInputError("Only one dimension can be -1: torch infers one size from the others, not two.")
    if any(v < -1 or (v == 0) for v in value):
        raise TensorInputError("Sizes must be positive whole numbers (or a single -1 in reshape/view).")
    known = math.prod(v for v in value if v != -1)
    if known > MAX_ELEMENTS:
        raise TensorInputError(f"That shape holds {known:,} elements; this page caps a tensor at {MAX_ELEMENTS:,}.")
    return value


def parse_dims(text: str) -> tuple[int, ...]:
    """`2, 0, 1` becomes (2, 0, 1): dimension indices for permute (negative ones count from the end)."""
    return _whole_numbers((text or "").strip(), "dimensions", "1, 0", "It looks like 1, 0 or 2, 0, 1.")
