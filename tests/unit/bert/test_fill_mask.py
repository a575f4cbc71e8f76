"""Fill-mask predictions, MLM loss and "the code", each checked against transformers' own implementations."""

import pytest
import torch
from transformers import AutoTokenizer, BertForMaskedLM, pipeline

from playground.bert.code_panel import fill_mask_code
from playground.bert.encode import encode, max_input_tokens
from playground.bert.fill_mask import fill_mask
from playground.bert.masking import MASKED, mask_chosen, pretraining_mask
from tests.helpers import assert_self_contained, run_panel


def _positions_of(tokens, words):
    return [i for i, t in enumerate(tokens) if t in words]


# Both sides in float32, as the page loads models: the bundled checkpoint is stored in float16 and a pipeline left
# to pick the dtype itself would compute in half precision.
def test_top_k_matches_the_fill_mask_pipeline(bert_dir, bert):
    model, tokenizer = bert
    text = "the cat sat on the mat."
    enc = encode(tokenizer, text, 64)
    position = _positions_of(enc.tokens, {"cat"})[0]
    result = fill_mask(
        model,
        tokenizer,
        enc.input_ids,
        mask_chosen(enc.input_ids, [position], tokenizer.mask_token_id),
        token_type_ids=enc.token_type_ids,
        top_k=5,
    )

    masked_text = "the " + tokenizer.mask_token + " sat on the mat."
    fill = pipeline("fill-mask", model=bert_dir, tokenizer=bert_dir, device="cpu", dtype=torch.float32)
    expected = fill(masked_text, top_k=5)
    ours = result.predictions[0].top
    assert [p.token_id for p in ours] == [e["token"] for e in expected]
    assert [p.probability for p in ours] == pytest.approx([e["score"] for e in expected], rel=1e-4, abs=1e-7)


def test_two_masks_match_the_pipeline_per_mask(bert_dir, bert):
    model, tokenizer = bert
    enc = encode(tokenizer, "romeo, romeo! wherefore art thou romeo?", 64)
    positions = _positions_of(enc.tokens, {"wherefore", "thou"})
    assert len(positions) == 2
    result = fill_mask(
        model,
        tokenizer,
        enc.input_ids,
        mask_chosen(enc.input_ids, positions, tokenizer.mask_token_id),
        token_type_ids=enc.token_type_ids,
        top_k=3,
    )
    masked_text = f"romeo, romeo! {tokenizer.mask_token} art {tokenizer.mask_token} romeo?"
    expected = pipeline("fill-mask", model=bert_dir, tokenizer=bert_dir, device="cpu", dtype=torch.float32)(
        masked_text, top_k=3
    )
    for ours, theirs in zip(result.predictions, expected, strict=True):
        assert [p.token_id for p in ours.top] == [e["token"] for e in theirs]
        assert [p.probability for p in ours.top] == pytest.approx([e["score"] for e in theirs], rel=1e-4, abs=1e-7)


def test_mlm_loss_is_transformers_loss_on_the_picked_positions(bert, bert_dir):
    model, tokenizer = bert
    enc = encode(tokenizer, "this is a test sentence. the cat sat on the mat.", 64)
    decisions = pretraining_mask(
        enc.input_ids,
        enc.special_tokens_mask,
        tokenizer.mask_token_id,
        len(tokenizer),
        seed=3,
        never_random_ids=tokenizer.all_special_ids,
    )
    result = fill_mask(model, tokenizer, enc.input_ids, decisions, token_type_ids=enc.token_type_ids)

    labels = torch.full((1, len(enc.input_ids)), -100)
    seen = torch.tensor([enc.input_ids])
    for d in decisions:
        labels[0, d.position] = d.original_id
        seen[0, d.position] = d.new_id
    reference = BertForMaskedLM.from_pretrained(bert_dir, attn_implementation="eager", dtype=torch.float32).eval()
    with torch.no_grad():
        expected = reference(input_ids=seen, token_type_ids=torch.tensor([enc.token_type_ids]), labels=labels).loss
    assert result.mlm_loss == pytest.approx(float(expected), rel=1e-5)
    assert [p.position for p in result.predictions] == [d.position for d in decisions]


def test_filled_sentence_uses_the_top_prediction_at_every_mask(bert):
    model, tokenizer = bert
    enc = encode(tokenizer, "the cat sat on the mat.", 64)
    positions = [1, 3]
    result = fill_mask(model, tokenizer, enc.input_ids, mask_chosen(enc.input_ids, positions, tokenizer.mask_token_id))
    for p in result.predictions:
        assert result.filled_tokens[p.position] == p.top[0].token
        assert p.seen_token == tokenizer.mask_token and p.action == MASKED
    assert result.mlm_loss == pytest.approx(sum(p.loss for p in result.predictions) / 2)
    assert len(result.attentions) == model.config.num_hidden_layers


def test_nothing_masked_has_no_loss_but_still_attention(bert):
    model, tokenizer = bert
    enc = encode(tokenizer, "the cat", 64)
    result = fill_mask(model, tokenizer, enc.input_ids, [])
    assert result.mlm_loss is None and result.predictions == []
    assert result.attentions[0].shape[-1] == len(enc.input_ids)


def test_long_text_is_cut_to_the_model_limit_and_unknown_characters_are_found(bert):
    model, tokenizer = bert
    limit = max_input_tokens(model, tokenizer)
    assert limit <= 512 and limit <= model.config.max_position_embeddings
    enc = encode(tokenizer, "the cat sat on the mat. " * 200, limit)
    assert len(enc.input_ids) == limit and enc.truncated and enc.n_tokens_before_cut > limit
    assert enc.tokens[-1] == tokenizer.sep_token
    odd = encode(tokenizer, "the 🙂 cat 中文 αβγ", limit)
    assert odd.unknown_positions(tokenizer.unk_token)
    result = fill_mask(model, tokenizer, odd.input_ids, mask_chosen(odd.input_ids, [1], tokenizer.mask_token_id))
    assert 0.0 < result.predictions[0].top[0].probability <= 1.0


@pytest.mark.parametrize("rule_seed", [None, 5])
def test_the_code_reproduces_predictions_and_loss(bert, bert_dir, rule_seed):
    model, tokenizer = bert
    text = "this is a test sentence. the cat sat on the mat."
    enc = encode(tokenizer, text, 64)
    if rule_seed is None:
        decisions = mask_chosen(enc.input_ids, [2, 5], tokenizer.mask_token_id)
    else:
        decisions = pretraining_mask(
            enc.input_ids,
            enc.special_tokens_mask,
            tokenizer.mask_token_id,
            len(tokenizer),
            seed=rule_seed,
            never_random_ids=tokenizer.all_special_ids,
        )
    result = fill_mask(model, tokenizer, enc.input_ids, decisions, token_type_ids=enc.token_type_ids, top_k=4)
    source = fill_mask_code(bert_dir, True, text, 64, decisions, 4, rule_seed=rule_seed)
    assert_self_contained(source)
    namespace, printed = run_panel(source)
    assert {p: d for p, d in namespace["new_ids"].items()} == {d.position: d.new_id for d in decisions}
    for p in result.predictions:
        code_top = namespace["top_predictions"][p.position]
        assert [t for t, _ in code_top] == [q.token for q in p.top]
        assert [q for _, q in code_top] == pytest.approx([q.probability for q in p.top], rel=1e-5)
    assert namespace["loss"].item() == pytest.approx(result.mlm_loss, rel=1e-5)
    assert result.filled_text in printed


def test_distilbert_fill_mask_and_its_code_work_without_segments_or_nsp(tmp_path):
    from transformers import AutoModelForMaskedLM

    from tests.unit.tiny_bert import save_tiny_distilbert

    folder = str(save_tiny_distilbert(tmp_path / "distil"))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForMaskedLM.from_pretrained(folder, attn_implementation="eager").eval()
    text = "the cat sat on the mat."
    enc = encode(tokenizer, text, 64)
    position = enc.tokens.index("sat")
    decisions = mask_chosen(enc.input_ids, [position], tokenizer.mask_token_id)
    result = fill_mask(model, tokenizer, enc.input_ids, decisions, token_type_ids=enc.token_type_ids, top_k=3)
    expected = pipeline("fill-mask", model=folder, tokenizer=folder, device="cpu", dtype=torch.float32)(
        f"the cat {tokenizer.mask_token} on the mat.", top_k=3
    )
    assert [p.token_id for p in result.predictions[0].top] == [e["token"] for e in expected]
    source = fill_mask_code(folder, False, text, 64, decisions, 3)
    assert_self_contained(source)
    namespace, _ = run_panel(source)
    assert namespace["loss"].item() == pytest.approx(result.mlm_loss, rel=1e-5)
