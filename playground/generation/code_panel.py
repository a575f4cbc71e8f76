""" "The code" of the GPT generation page: `panels/generate.py`, the decoding loop written out with the knobs the
page turned on, so a learner reads what `model.generate` does inside; beam search calls `generate` itself.

Made from the same `Prepared` settings that drove the page; tests/unit/generation/test_code_panel.py runs it and
checks that its tokens and probabilities are the page's.
"""

from __future__ import annotations

from pathlib import Path

from playground.code_panels import render
from playground.generation.decode import Prepared

TEMPLATE = Path(__file__).with_name("panels") / "generate.py"


def generation_code(
    prepared: Prepared, model_ref: str, eos_token_id: int | None, inspect: tuple[int, int] | None = None
) -> str:
    """model_ref: what `from_pretrained` should load (a folder such as assets/models/shakespeare-gpt, or a hub id).
    inspect: (sequence index, step from 1) that the page's step chart and logit lens show."""
    s = prepared.settings
    prompt_ids = prepared.input_ids[0].tolist()
    switches = {
        "beam_search": s.num_beams > 1,
        "sampling": s.do_sample,
        "penalised": s.repetition_penalty != 1.0,
        "tempered": s.do_sample and s.temperature != 1.0,
        "top_k_on": s.do_sample and s.top_k > 0,
        "top_p_on": s.do_sample and s.top_p < 1.0,
        "inspecting": inspect is not None,
    }
    settings = {"model_ref": model_ref, "prompt_ids": prompt_ids, "max_new_tokens": s.max_new_tokens}
    settings |= {"eos": eos_token_id, "num_sequences": s.num_sequences}
    optional = {
        "num_beams": (switches["beam_search"], s.num_beams),
        "repetition_penalty": (switches["penalised"] or switches["beam_search"], s.repetition_penalty),
        "seed": (switches["sampling"], s.seed),
        "temperature": (switches["tempered"], s.temperature),
        "top_k": (switches["top_k_on"], s.top_k),
        "top_p": (switches["top_p_on"], s.top_p),
    }
    settings |= {name: value for name, (on, value) in optional.items() if on}
    if inspect is not None:
        settings |= {"which": inspect[0], "position": len(prompt_ids) + inspect[1] - 1}
    return render(TEMPLATE, settings, switches)
