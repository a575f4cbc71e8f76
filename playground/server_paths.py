"""Which server folders a learner may name: a Space is public, and a typed path is a request to read the server's disk.

A page that takes a path (the Training page's run folder and MNIST folder, the model picker's local folder) reads only
under the roots the operator allows: the project's runs/, assets/models/ and data/ folders, the Training page's own
runs folder (PLAYGROUND_RUNS_DIR) and whatever PLAYGROUND_PATH_ROOTS adds (folders separated by os.pathsep, `:` on
Linux). The typed path is resolved first (`~`, `..` and symbolic links), so no spelling leads out of a root.

A refusal says the same whether or not the path exists, and is decided before anything looks at the path's target:
the message names the setting, never what is on the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from playground import ASSETS, REPO
from playground.url_values import quoted

ROOTS_ENV = "PLAYGROUND_PATH_ROOTS"
RUNS_ENV = "PLAYGROUND_RUNS_DIR"  # where the Training page starts its runs (playground/training/lesson.py)
DEFAULT_ROOTS = (REPO / "runs", ASSETS / "models", REPO / "data")
MAX_CHARS = 1024  # longer than any path a learner types; Linux refuses a path over 4,096 bytes anyway


class PathRefused(ValueError):
    """str(err) is a message fit to show a learner: markdown-safe, the same whether the path exists or not."""


def roots() -> list[Path]:
    """The folders a typed path may lie under, resolved, read from the environment each time (an operator's change
    applies at the next rerun, and a test's monkeypatch at once)."""
    extra = [os.environ.get(RUNS_ENV, "")] + os.environ.get(ROOTS_ENV, "").split(os.pathsep)
    found: list[Path] = []
    for root in [*DEFAULT_ROOTS, *(Path(e).expanduser() for e in extra if e.strip())]:
        resolved = Path(os.path.realpath(root))
        if resolved not in found:
            found.append(resolved)
    return found


def _unreadable(typed: str) -> str | None:
    """Why `typed` can be no path at all, before it is looked at."""
    if len(typed) > MAX_CHARS:
        return f"is too long: a folder's path here has at most {MAX_CHARS:,} characters"
    if "\x00" in typed:
        return "holds a NUL character, which no path can"
    try:
        os.fsencode(typed)
    except UnicodeError:
        return "holds a character no file name on this server can (an unpaired surrogate)"
    return None


def resolve(typed: str | Path) -> Path:
    """The folder a learner typed, resolved, if it lies under a root; else PathRefused saying which setting allows
    more. A relative path is taken from the server's working folder, as opening it would."""
    text = str(typed).strip()
    if not text:
        raise PathRefused("No folder given: type the path of a folder on this server.")
    if reason := _unreadable(text):
        raise PathRefused(f"The folder {quoted(text)} can't be used: it {reason}.")
    resolved = Path(os.path.realpath(os.path.expanduser(text)))
    allowed = roots()
    if any(resolved.is_relative_to(root) for root in allowed):
        return resolved
    listed = ", ".join(quoted(root, limit=160) for root in allowed)
    raise PathRefused(
        f"{quoted(text, limit=160)} is outside the folders this server lets its pages read: {listed}. Use a folder "
        f"inside one of them; whoever runs the server can allow others with the `{ROOTS_ENV}` setting (folders "
        f"separated by `{os.pathsep}`)."
    )


def allowed(typed: str | Path) -> Path | None:
    """`resolve` without the message: the folder, or None."""
    try:
        return resolve(typed)
    except PathRefused:
        return None
