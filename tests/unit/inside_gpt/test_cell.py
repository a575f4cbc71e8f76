"""One score written out: the dot product of the followed token's query and a key, over √(d/h), equals the cell
of the scores, and a key after the query is masked to an attention weight of exactly 0."""

import math

import pytest

from playground.inside_gpt import lesson
from playground.inside_gpt.cell import score_cell, term_rows, written_out


@pytest.fixture(scope="module")
def shown(loaded):
    prompt = lesson.read_prompt(loaded.tokenizer, "ROMEO: What light through yonder window", 64)
    return prompt, lesson.run_pass(loaded.model, loaded.tokenizer, prompt.ids)


def test_the_written_out_sum_is_the_score_on_the_heatmap(loaded, shown):
    prompt, p = shown
    c = loaded.model.config
    cell = score_cell(p, c.n_layer - 1, 1, len(prompt.ids) - 1, 2)
    assert len(cell.q) == c.n_embd // c.n_head and cell.scale == math.sqrt(c.n_embd // c.n_head)
    assert sum(cell.terms) == pytest.approx(cell.dot, rel=1e-5, abs=1e-5)
    assert cell.dot / cell.scale == pytest.approx(cell.score, rel=1e-5, abs=1e-6)
    assert cell.score == pytest.approx(float(p.blocks[-1].scores[1, len(prompt.ids) - 1, 2]))
    assert cell.weight == pytest.approx(float(p.blocks[-1].weights[1, len(prompt.ids) - 1, 2]))
    text = written_out(cell, prompt.labels)
    assert f"**{cell.score:.4g}**" in text and f"√{len(cell.q)}" in text and f"{cell.weight:.4g}" in text
    assert "…" in text  # 48 or 8 terms: written with an ellipsis, every term in the table
    assert [r["product"] for r in term_rows(cell)] == pytest.approx(cell.terms)


def test_a_key_after_the_query_is_masked_to_a_weight_of_zero(shown):
    prompt, p = shown
    cell = score_cell(p, 0, 0, 1, 3)
    assert cell.masked and cell.weight == 0.0
    assert "−∞" in written_out(cell, prompt.labels)
