"""Reading a training corpus and holding out its end for validation.

The held-out part is the *last* 10% (not a random sample of lines) so that validation text is a stretch of the
plays the model never saw, as in nanoGPT's shakespeare data preparation.
"""

from __future__ import annotations

from pathlib import Path


def read_corpus(path: str | Path) -> str:
    """Whole file as text; a clear error if it is missing or empty (the script takes any text file)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"corpus file not found: {path}")
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ValueError(f"corpus file is empty: {path}")
    return text


def split_holdout(text: str, holdout_fraction: float = 0.1) -> tuple[str, str]:
    """(train, held_out): the last `holdout_fraction` of the characters, moved forward to the next line start so
    that no line is cut in two. train + held_out == text."""
    if not 0.0 < holdout_fraction < 1.0:
        raise ValueError(f"holdout_fraction must be between 0 and 1, got {holdout_fraction}")
    cut = int(len(text) * (1.0 - holdout_fraction))
    newline = text.find("\n", cut)
    if newline != -1 and newline + 1 < len(text):
        cut = newline + 1
    return text[:cut], text[cut:]
