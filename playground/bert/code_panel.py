""" "The code" of the BERT page: each section's template in `panels/`, filled in with the section's own settings.

The text is only displayed in the app, never run there; tests run it and compare its numbers with the page's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from playground.bert.masking import TYPED, MaskDecision
from playground.code_panels import render

PANELS = Path(__file__).with_name("panels")


def fill_mask_code(
    model_ref: str,
    has_nsp: bool,
    text: str,
    max_tokens: int,
    decisions: Sequence[MaskDecision],
    top_k: int,
    rule_seed: int | None = None,
    *,
    respelled: bool = False,
) -> str:
    """Masking (the learner's clicks, or the pretraining rule with `rule_seed`, and the masks typed in the text),
    predictions, MLM loss, attention. `respelled`: the text's [MASK] is written otherwise by this model."""
    settings = {"model_ref": model_ref, "text": text, "max_tokens": max_tokens, "top_k": top_k}
    if rule_seed is None:
        settings["clicked"] = [d.position for d in decisions if d.action != TYPED]
    else:
        settings["seed"] = rule_seed
    switches = {
        "with_nsp_head": has_nsp,
        "by_the_rule": rule_seed is not None,
        "with_typed_masks": any(d.action == TYPED for d in decisions),
        "respelled": respelled,
    }
    return render(PANELS / "fill_mask.py", settings, switches)


def next_sentence_code(model_ref: str, sentence_a: str, sentence_b: str, max_tokens: int) -> str:
    settings = {"model_ref": model_ref, "sentence_a": sentence_a, "sentence_b": sentence_b, "max_tokens": max_tokens}
    return render(PANELS / "next_sentence.py", settings)


def classification_code(model_ref: str, model_type: str, seed: int, text: str, label: int) -> str:
    settings = {"model_ref": model_ref, "seed": seed, "text": text, "label": label}
    return render(PANELS / "classification.py", settings, {"bert": model_type == "bert"})


def quiz_score_code(model_ref: str, has_nsp: bool, n_lines: int, max_tokens: int) -> str:
    """Score BERT on the quiz's first `n_lines` held-out sentences, choosing each hidden word as the page does."""
    settings = {"model_ref": model_ref, "n_lines": n_lines, "max_tokens": max_tokens}
    return render(PANELS / "quiz_score.py", settings, {"with_segments": has_nsp})
