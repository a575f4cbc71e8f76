""" "The code" runs on its own, recomputes the pass from the state_dict without calling the model's forward, and
prints the numbers the page shows for its layer, head, token and cell."""

import re

import pytest
import torch

from playground.generation.figures import token_namer
from playground.inside_gpt import lesson
from playground.inside_gpt.cell import score_cell
from playground.inside_gpt.code_panel import pass_code
from playground.inside_gpt.next_token import top_rows
from playground.inside_gpt.steps import View
from tests.helpers import ROOT, assert_self_contained, run_panel


@pytest.fixture(scope="module")
def page(loaded):
    c = loaded.model.config
    prompt = lesson.read_prompt(loaded.tokenizer, "ROMEO: But soft, what light", 64)
    view = View(layer=c.n_layer - 1, head=c.n_head - 1, row=len(prompt.ids) - 2, key=1, temperature=0.8)
    return prompt, view, lesson.run_pass(loaded.model, loaded.tokenizer, prompt.ids)


def test_the_code_prints_the_pages_numbers_without_the_models_forward(loaded, page, monkeypatch):
    prompt, view, p = page
    source = pass_code(loaded.code_ref, prompt.ids, view)
    assert_self_contained(source)
    assert "def forward_pass" in source and "playground" not in source  # the page's own function, spliced in
    assert f"layer = {view.layer}" in source and "temperature = 0.8" in source

    def refuse(*args, **kw):
        raise AssertionError("the code called the model's forward")

    monkeypatch.setattr(type(loaded.model), "forward", refuse)
    namespace, printed = run_panel(source, cwd=ROOT)
    cell = score_cell(p, view.layer, view.head, view.row, view.key)
    assert f"= {cell.score:.6f}" in printed
    assert f"after the mask and softmax: {cell.weight:.6f}" in printed
    expected = top_rows(p, view.row, view.temperature, token_namer(loaded.tokenizer))
    probabilities = [float(x) for x in re.findall(r"p = ([0-9.]+)", printed)]
    assert probabilities == pytest.approx([r["probability"] for r in expected], abs=2e-6)
    ids = [int(x) for x in re.findall(r"\(id (\d+)\)", printed)]
    assert ids[:3] == [r["id"] for r in expected][:3]  # ties further down may order differently
    torch.testing.assert_close(namespace["p"].logits, p.logits)
