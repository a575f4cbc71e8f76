"""The steps the page draws: in the pass's order, every shape named and true, every tensor a view of the one
cached pass (so following another layer, head or token recomputes nothing)."""

import pytest
import torch

from playground.generation.figures import token_namer, visible
from playground.inside_gpt import lesson
from playground.inside_gpt.steps import View, overview, shape, steps

PROMPT = "JULIET: O Romeo, Romeo! wherefore art thou Romeo?"


@pytest.fixture(scope="module")
def shown(loaded):
    prompt = lesson.read_prompt(loaded.tokenizer, PROMPT, lesson.token_limit(loaded.model.config))
    return prompt, lesson.run_pass(loaded.model, loaded.tokenizer, prompt.ids)


def all_steps(loaded, shown, view):
    prompt, p = shown
    return steps(p, loaded.model.config, view, prompt.labels, token_namer(loaded.tokenizer))


def storage_of(p) -> set[int]:
    tensors = [p.ids, p.tok_emb, p.pos_emb, p.x0, p.ln_f, p.logits]
    tensors += [t for b in p.blocks for t in vars(b).values()]
    return {t.untyped_storage().data_ptr() for t in tensors}


def test_the_steps_follow_the_pass_in_order_and_the_overview_links_to_each(loaded, shown):
    anchors = [s.anchor for s in all_steps(loaded, shown, View())]
    assert anchors == ["ids", "embed", "ln1", "qkv", "scores", "mask", "softmax", "weighted", "merge", "resid1"] + [
        "ln2",
        "mlp",
        "resid2",
        "ln_f",
        "logits",
    ]
    assert [a for a, _ in overview(0)] == [*anchors, "probs"]


def test_each_shape_names_its_dimensions_with_the_models_sizes(loaded, shown):
    c, T = loaded.model.config, len(shown[0].ids)
    d, h = c.n_embd, c.n_head
    by_anchor = {s.anchor: s.shape for s in all_steps(loaded, shown, View())}
    assert f"(T={T}, d={d:,})" in by_anchor["embed"]
    assert f"(T={T}, 3d={3 * d:,})" in by_anchor["qkv"] and f"(h={h}, T={T}, d/h={d // h})" in by_anchor["qkv"]
    assert f"(h={h}, T={T}, T={T})" in by_anchor["scores"] and f"√{d // h}" in by_anchor["scores"]
    assert f"(T={T}, 4d={4 * d:,})" in by_anchor["mlp"]
    assert f"(T={T}, V={c.vocab_size:,})" in by_anchor["logits"]


def test_a_shape_label_that_does_not_fit_its_tensor_is_refused():
    with pytest.raises(ValueError, match="is not"):
        shape(torch.zeros(3, 4), "T", "d", sizes={"T": 3, "d": 5})


def test_following_another_layer_head_and_token_shows_that_part_of_the_same_tensors(loaded, shown):
    prompt, p = shown
    c = loaded.model.config
    view = View(layer=c.n_layer - 1, head=c.n_head - 1, row=2, key=1)
    found = {s.anchor: s for s in all_steps(loaded, shown, view)}
    b = p.blocks[-1]
    assert torch.equal(found["qkv"].panels[0].tensor, b.q[-1]) and torch.equal(found["qkv"].panels[2].tensor, b.v[-1])
    scores = found["scores"].panels[0]
    assert torch.equal(scores.tensor, b.scores[-1]) and scores.cell == (2, 1) and scores.row == 2
    assert all(panel.row == 2 for panel in found["mlp"].panels)
    known = storage_of(p)
    for step in found.values():
        for panel in step.panels:
            assert panel.tensor.untyped_storage().data_ptr() in known or step.anchor == "logits", step.anchor


def test_the_logits_shown_are_the_followed_tokens_most_likely_columns(loaded, shown):
    p = shown[1]
    logits = next(s for s in all_steps(loaded, shown, View(row=3)) if s.anchor == "logits").panels[0]
    top = p.logits[3].topk(logits.tensor.shape[1]).indices
    assert torch.equal(logits.tensor, p.logits[:, top])
    assert logits.columns == [visible(token_namer(loaded.tokenizer)(int(i))) for i in top]
