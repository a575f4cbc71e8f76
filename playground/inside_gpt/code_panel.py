""" "The code" of the Inside GPT page: `panels/forward_by_hand.py`, the page's own pass function spliced in from its
source, with the page's model, prompt, layer, head, token, score cell and temperature filled in.

tests/unit/inside_gpt/test_code_panel.py runs it and checks that it prints the page's numbers.
"""

from __future__ import annotations

from pathlib import Path

from playground.code_panels import render
from playground.inside_gpt.steps import View

TEMPLATE = Path(__file__).with_name("panels") / "forward_by_hand.py"


def pass_code(model_ref: str, ids: tuple[int, ...], view: View) -> str:
    settings = {"model_ref": model_ref, "prompt_ids": list(ids), "layer": view.layer, "head": view.head}
    settings |= {"row": view.row, "key": view.key, "temperature": float(view.temperature)}
    return render(TEMPLATE, settings)
