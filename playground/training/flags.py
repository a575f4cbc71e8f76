"""A job's settings as its command line: both training jobs are launched as `python -m playground.training.train`
with every field of their settings dataclass as a flag, so what the page starts is what a learner can type."""

from __future__ import annotations

from dataclasses import fields


def as_flags(settings) -> list[str]:
    """`--name value` per field (underscores become dashes); a bool is a bare flag when true and absent when false."""
    args = []
    for field in fields(settings):
        value = getattr(settings, field.name)
        flag = "--" + field.name.replace("_", "-")
        if isinstance(value, bool):
            args += [flag] if value else []
        else:
            args += [flag, str(value)]
    return args
