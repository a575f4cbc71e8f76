""" "The code" of the Tensors page: a runnable script built from the same settings and expressions as the page.

A learner copies it into a notebook and gets the same numbers, or the same error, as on screen. A test runs it and
compares, so it cannot drift from what the page computes.
"""

from __future__ import annotations

import textwrap

from playground.tensors.lesson import Lesson


def _guarded(statement: str, comment: str, error: str = "RuntimeError") -> str:
    """A line that is refused: run it anyway and print the library's message, so the script shows the same error."""
    return f"try:\n{textwrap.indent(statement, '    ')}\nexcept {error} as err:\n    print(err)  # {comment}"


def generate_code(lesson: Lesson) -> str:
    s = lesson.settings
    lines = ["import numpy as np", "import torch", ""]
    if s.source.kind == "random":
        lines.append(f"torch.manual_seed({int(s.source.seed)})  # the same seed gives the same numbers as the page")
    lines.append(f"x = {lesson.build}")
    lines.append("print(x.shape, x.dtype, x.stride(), x.is_contiguous())")
    if s.dtype != "keep":
        changed = lesson.conversion.changed if lesson.conversion else 0
        lines.append(f"x = x.to(torch.{s.dtype})  # {changed} element(s) change value")
    if s.requires_grad:
        if lesson.grad_error:
            lines.append(_guarded("x.requires_grad_()", lesson.grad_error))
        else:
            lines.append("x.requires_grad_()  # autograd now records every operation on x")
    lines.append("")
    outcome = lesson.outcome
    if outcome is not None:
        *setup, statement = outcome.expression.split("\n")
        lines.extend(setup)
        if outcome.error:
            lines.append(_guarded(statement, outcome.error))
        else:
            lines.append(statement)
            lines.append("print(y.shape, y.stride(), y.is_contiguous())")
            lines.append("print(y)")
            if s.requires_grad and not lesson.grad_error:
                lines.append("print(y.grad_fn)  # the backward node autograd recorded")
        lines += ["", "# The same in NumPy"]
        *setup, statement = outcome.numpy_expression.split("\n")
        lines.extend(setup)
        if outcome.numpy_result is None:
            lines.append(_guarded(statement, "NumPy refuses too", "ValueError"))
        else:
            lines += [statement, "print(y_np.shape, y_np.dtype)", "print(y_np)"]
    return "\n".join(lines) + "\n"
