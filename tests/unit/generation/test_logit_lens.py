"""The logit lens reads the model's own prediction at the last layer and a prediction at every layer before it."""

import torch

from playground.generation.logit_lens import logit_lens
from tests.unit.tiny_gpt import one_torch_thread, tiny_gpt, tiny_tokenizer  # noqa: F401 (autouse fixture)


def test_one_row_per_layer_and_the_last_row_is_the_models_own_prediction():
    tok = tiny_tokenizer()
    model = tiny_gpt(tok)
    ids = torch.tensor([tok("ROMEO: But soft")["input_ids"]])
    rows = logit_lens(model, ids, top=5)
    assert [r.layer for r in rows] == ["embeddings", "block 1", "block 2 (output)"]
    with torch.no_grad():
        probs = model(ids).logits[0, -1].softmax(-1)
    values, top_ids = probs.topk(5)
    assert rows[-1].top_tokens == top_ids.tolist()
    assert torch.allclose(torch.tensor(rows[-1].top_probs), values, atol=1e-6)


def test_intermediate_rows_go_through_ln_f_and_lm_head():
    tok = tiny_tokenizer()
    model = tiny_gpt(tok)
    ids = torch.tensor([tok("Once upon a time")["input_ids"]])
    rows = logit_lens(model, ids, top=3)
    with torch.no_grad():
        hidden = model.transformer.wte(ids) + model.transformer.wpe(torch.arange(ids.shape[1]))
        after_block1 = model.transformer.h[0](hidden)
        after_block1 = after_block1[0] if isinstance(after_block1, tuple) else after_block1
        expected = model.lm_head(model.transformer.ln_f(after_block1[0, -1])).softmax(-1).topk(3)
    assert rows[1].top_tokens == expected.indices.tolist()
    assert torch.allclose(torch.tensor(rows[1].top_probs), expected.values, atol=1e-5)
