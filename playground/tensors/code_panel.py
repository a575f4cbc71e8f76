""" "The code" of the Tensors page: its own expressions (the ones it shows beside each picture) in a runnable script.

A learner copies it into a notebook and gets the same numbers, or the same error, as on screen; a test runs it and
compares.
"""

from __future__ import annotations

from pathlib import Path

from playground.code_panels import Code, render
from playground.tensors.lesson import Lesson

TEMPLATE = Path(__file__).with_name("panels") / "tensor.py"


def assignments(lines: str) -> dict[str, Code]:
    """`name = expression` lines, as the lesson writes them for the page, by name."""
    return {name: Code(value) for name, _, value in (line.partition(" = ") for line in lines.splitlines())}


def tensor_code(lesson: Lesson) -> str:
    s, outcome = lesson.settings, lesson.outcome
    settings = {"x": Code(lesson.build)}
    if s.source.kind == "random":
        settings["seed"] = int(s.source.seed)
    if s.dtype != "keep":
        settings["dtype"] = Code(f"torch.{s.dtype}")
    if outcome is not None:
        settings |= assignments(outcome.expression) | assignments(outcome.numpy_expression)
    with_cell = outcome is not None and outcome.cell is not None
    if with_cell:
        settings |= {"cell": outcome.cell} | assignments(outcome.cell_expression)
    return render(
        TEMPLATE,
        settings,
        switches={
            "random_numbers": s.source.kind == "random",
            "converts": s.dtype != "keep",
            "asks_for_grad": s.requires_grad,
            "grad_refused": bool(lesson.grad_error),
            "operates": outcome is not None,
            "with_matrix": "B" in settings,
            "with_cell": with_cell,
            "with_other": "other" in settings,
            "refused": outcome is not None and bool(outcome.error),
            "records_grad": s.requires_grad and not lesson.grad_error,
            "numpy_refuses": outcome is not None and outcome.numpy_result is None,
        },
    )
