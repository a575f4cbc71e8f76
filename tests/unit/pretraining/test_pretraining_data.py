"""The pieces scripts/train_bundled_models.py is built from: held-out split, BERT's masking rule, next-sentence
pairs, the learning-rate schedule, loss per character, and the trained tokenizers."""

from __future__ import annotations

import math
import random

import pytest
import torch
import transformers

from playground.pretraining.corpus import split_holdout
from playground.pretraining.gpt_metrics import causal_lm_heldout_loss
from playground.pretraining.lr_schedule import warmup_cosine
from playground.pretraining.mlm_masking import IGNORE_INDEX, mask_tokens
from playground.pretraining.nsp_pairs import IS_NEXT, IS_RANDOM, collate_pairs, sample_nsp_pair
from playground.pretraining.tokenizer_training import train_byte_level_bpe, train_wordpiece

TEXT = "".join(f"LINE {i}: the quick brown fox jumps over the lazy dog number {i}.\n" for i in range(200))


# --------------------------------------------------------------------------------------------------- split
def test_holdout_is_the_last_tenth_cut_at_a_line_start():
    train, held = split_holdout(TEXT, 0.1)
    assert train + held == TEXT
    assert train.endswith("\n") and held.startswith("LINE")
    assert abs(len(held) - 0.1 * len(TEXT)) < 80  # moved forward by at most one line


def test_holdout_fraction_must_be_a_fraction():
    with pytest.raises(ValueError):
        split_holdout(TEXT, 1.5)


# ---------------------------------------------------------------------------------------------- masking rule
def masked_batch(seed=0, shape=(400, 500), vocab=1000, mask_id=4):
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(10, vocab, shape, generator=gen)
    special = torch.zeros(shape, dtype=torch.bool)
    special[:, 0] = special[:, -1] = True  # [CLS] ... [SEP]
    corrupted, labels = mask_tokens(ids, special, mask_id, vocab, generator=gen)
    return ids, special, corrupted, labels, mask_id


def test_fifteen_percent_of_ordinary_tokens_are_chosen():
    ids, special, _, labels, _ = masked_batch()
    chosen = labels != IGNORE_INDEX
    rate = chosen[~special].float().mean().item()
    assert abs(rate - 0.15) < 0.005  # ~200k tokens: the standard error is ~0.0008


def test_special_tokens_are_never_chosen_or_changed():
    ids, special, corrupted, labels, _ = masked_batch()
    assert (labels[special] == IGNORE_INDEX).all()
    assert torch.equal(corrupted[special], ids[special])


def test_labels_hold_the_original_token_where_chosen():
    ids, _, _, labels, _ = masked_batch()
    chosen = labels != IGNORE_INDEX
    assert torch.equal(labels[chosen], ids[chosen])


def test_chosen_tokens_split_80_10_10():
    ids, _, corrupted, labels, mask_id = masked_batch()
    chosen = labels != IGNORE_INDEX
    n = chosen.sum().item()
    to_mask = (corrupted[chosen] == mask_id).float().sum().item() / n
    unchanged = (corrupted[chosen] == ids[chosen]).float().sum().item() / n
    replaced = 1 - to_mask - unchanged
    assert abs(to_mask - 0.8) < 0.01
    # a random replacement hits the original token 1 time in ~1000: "unchanged" is 10% plus that sliver
    assert abs(unchanged - 0.1) < 0.01 and abs(replaced - 0.1) < 0.01


def test_tokens_not_chosen_are_untouched():
    ids, _, corrupted, labels, _ = masked_batch()
    keep = labels == IGNORE_INDEX
    assert torch.equal(corrupted[keep], ids[keep])


def test_masking_is_reproducible_with_a_seeded_generator():
    assert torch.equal(masked_batch(seed=3)[2], masked_batch(seed=3)[2])
    assert not torch.equal(masked_batch(seed=3)[2], masked_batch(seed=4)[2])


# ---------------------------------------------------------------------------------------- next-sentence pairs
SENTENCES = [[100 + i] * (1 + i % 4) for i in range(300)]  # sentence i is made of token 100+i


def test_half_the_pairs_are_real_continuations_and_they_really_continue():
    rng = random.Random(0)
    pairs = [sample_nsp_pair(SENTENCES, 20, rng) for _ in range(4000)]
    real = [p for p in pairs if p.label == IS_NEXT]
    assert abs(len(real) / len(pairs) - 0.5) < 0.03
    for p in real:
        assert p.b[0] == p.a[-1] + 1  # B starts with the sentence right after A's last one
    for p in pairs:
        if p.label == IS_RANDOM:
            assert p.b[0] != p.a[-1] + 1
        assert len(p.a) + len(p.b) <= 20 and p.a and p.b


def test_collated_pair_has_bert_layout():
    rng = random.Random(1)
    pairs = [sample_nsp_pair(SENTENCES, 12, rng) for _ in range(3)]
    batch = collate_pairs(pairs, cls_id=2, sep_id=3, pad_id=0)
    for row, p in enumerate(pairs):
        n = len(p.a) + len(p.b) + 3
        assert batch["input_ids"][row, :n].tolist() == [2, *p.a, 3, *p.b, 3]
        assert batch["token_type_ids"][row, :n].tolist() == [0] * (len(p.a) + 2) + [1] * (len(p.b) + 1)
        assert batch["attention_mask"][row].sum() == n
        assert batch["special_tokens_mask"][row, :n].tolist() == (
            [True] + [False] * len(p.a) + [True] + [False] * len(p.b) + [True]
        )
        assert batch["special_tokens_mask"][row, n:].all()  # padding is never masked
    assert batch["next_sentence_label"].tolist() == [p.label for p in pairs]


# ------------------------------------------------------------------------------------------ learning rate
def test_warmup_then_cosine_to_the_floor():
    peak = 1e-3
    assert warmup_cosine(0.0, peak) == 0.0
    assert warmup_cosine(0.025, peak) == pytest.approx(peak / 2)
    assert warmup_cosine(0.05, peak) == pytest.approx(peak)
    assert warmup_cosine(0.525, peak) == pytest.approx(0.1 * peak + 0.5 * 0.9 * peak)
    assert warmup_cosine(1.0, peak) == pytest.approx(0.1 * peak)
    values = [warmup_cosine(p / 100, peak) for p in range(5, 101)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))


# ---------------------------------------------------------------------------------- loss per character
def test_heldout_loss_matches_transformers_own_loss_and_counts_every_character():
    tok = train_byte_level_bpe(TEXT, 300)
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(
        transformers.GPT2Config(vocab_size=len(tok), n_positions=64, n_embd=16, n_layer=1, n_head=2)
    ).eval()
    text = TEXT[:700]
    block = 32
    result = causal_lm_heldout_loss(model, tok, text, block, batch_size=3)
    ids = [tok.eos_token_id, *tok(text)["input_ids"]]
    # reference: transformers' own (mean) loss per window, window by window, weighted by its predictions
    total = 0.0
    for start in range(0, len(ids) - 1, block):
        window = torch.tensor([ids[start : start + block + 1]])
        with torch.no_grad():
            loss = model(input_ids=window, labels=window).loss.item()
        total += loss * (window.shape[1] - 1)
    assert result.n_tokens == len(ids) - 1 and result.n_chars == len(text)
    assert result.total_nll == pytest.approx(total, rel=1e-5)
    assert result.loss_per_char == pytest.approx(total / len(text), rel=1e-5)
    assert result.perplexity == pytest.approx(math.exp(total / (len(ids) - 1)), rel=1e-5)
    assert result.bits_per_char == pytest.approx(result.loss_per_char / math.log(2))


# -------------------------------------------------------------------------------------------- tokenizers
def test_byte_level_bpe_is_lossless_and_marks_spaces():
    tok = train_byte_level_bpe(TEXT, 300)
    for text in (TEXT[:200], "Hello 🙂 λόγος 東京\ttab"):
        assert tok.decode(tok(text)["input_ids"]) == text
    assert any(t.startswith("Ġ") for t in tok.tokenize(" the quick brown fox"))


def test_wordpiece_marks_word_pieces_and_wraps_pairs():
    tok = train_wordpiece(TEXT, 120)
    pieces = tok.tokenize("foxes jumped")
    assert any(p.startswith("##") for p in pieces)
    enc = tok("the fox", "the dog")
    assert tok.convert_ids_to_tokens(enc["input_ids"]) == ["[CLS]", "the", "fox", "[SEP]", "the", "dog", "[SEP]"]
    assert enc["token_type_ids"] == [0, 0, 0, 0, 1, 1, 1]
    assert tok.tokenize("東") == ["[UNK]"]


# --------------------------------------------------------------------------------------- pretraining loss
def test_pretraining_loss_with_the_head_on_chosen_positions_equals_bert_for_pretraining_and_its_gradients():
    from playground.pretraining.bert_loss import pretraining_loss
    from tests.unit.tiny_bert import tiny_bert, tiny_bert_tokenizer

    tok = tiny_bert_tokenizer()
    model = tiny_bert(tok)  # in eval mode: no dropout, so both passes see the same network
    lines = [tok(t, add_special_tokens=False)["input_ids"] for t in TEXT.splitlines()[:40]]
    pairs = [sample_nsp_pair(lines, 40, random.Random(seed)) for seed in range(6)]
    batch = collate_pairs(pairs, tok.cls_token_id, tok.sep_token_id, tok.pad_token_id)
    inputs, labels = mask_tokens(
        batch["input_ids"],
        batch["special_tokens_mask"],
        tok.mask_token_id,
        len(tok),
        generator=torch.Generator().manual_seed(1),
    )
    args = dict(token_type_ids=batch["token_type_ids"], attention_mask=batch["attention_mask"])

    reference = model(input_ids=inputs, labels=labels, next_sentence_label=batch["next_sentence_label"], **args).loss
    reference.backward()
    reference_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    ours = pretraining_loss(model, inputs, labels=labels, next_sentence_label=batch["next_sentence_label"], **args)
    ours.backward()

    assert ours.item() == pytest.approx(reference.item(), rel=1e-5)
    for ref, p in zip(reference_grads, model.parameters(), strict=True):
        torch.testing.assert_close(p.grad, ref, rtol=1e-4, atol=1e-6)


def test_short_seq_prob_gives_some_pairs_a_random_shorter_length_and_none_without_it():
    def lengths(prob):
        rng = random.Random(0)
        return [len(p.a) + len(p.b) for p in (sample_nsp_pair(SENTENCES, 20, rng, prob) for _ in range(2000))]

    full = lengths(0.0)
    some_short = lengths(0.1)
    assert sum(n <= 6 for n in full) / len(full) < 0.02  # runs fill the budget up to a sentence's length
    assert 0.03 < sum(n <= 6 for n in some_short) / len(some_short) < 0.12  # about 10% x 5/19 budgets, plus full
    assert max(some_short) <= 20 and min(some_short) >= 2


def test_short_seq_prob_of_zero_leaves_the_pairs_exactly_as_before():
    # the random stream is not touched, so a seed gives the pairs it always gave
    before = [sample_nsp_pair(SENTENCES, 20, random.Random(s)) for s in range(50)]
    now = [sample_nsp_pair(SENTENCES, 20, random.Random(s), short_seq_prob=0.0) for s in range(50)]
    assert before == now


# ----------------------------------------------------------------------------------------- progressive stacking
def test_stacking_repeats_each_trained_layer_in_order_and_keeps_embeddings_and_heads():
    from playground.pretraining.stacking import stack_layers
    from tests.unit.tiny_bert import tiny_bert, tiny_bert_tokenizer

    model = tiny_bert(tiny_bert_tokenizer())
    grown = stack_layers(model, 4)

    assert grown.config.num_hidden_layers == 4 and len(grown.bert.encoder.layer) == 4
    assert model.config.num_hidden_layers == 2  # the original is left as it was
    for i, layer in enumerate(grown.bert.encoder.layer):
        for ours, source in zip(layer.parameters(), model.bert.encoder.layer[i % 2].parameters(), strict=True):
            assert torch.equal(ours, source)
    grown_state, old_state = grown.state_dict(), model.state_dict()
    for name, value in old_state.items():
        if not name.startswith("bert.encoder."):
            assert torch.equal(grown_state[name], value), name
    ids = torch.tensor([[2, 10, 11, 12, 3]])
    assert torch.isfinite(grown.eval()(input_ids=ids).prediction_logits).all()


def test_stacking_has_exactly_the_parameters_of_the_deeper_bert_built_on_meta():
    from transformers import BertForPreTraining

    from playground.pretraining.stacking import stack_layers
    from tests.unit.tiny_bert import tiny_bert, tiny_bert_tokenizer

    model = tiny_bert(tiny_bert_tokenizer())
    grown = stack_layers(model, 6)
    config = grown.config
    with torch.device("meta"):
        reference = BertForPreTraining(config)
    assert sum(p.numel() for p in grown.parameters()) == sum(p.numel() for p in reference.parameters())


@pytest.mark.parametrize("layers", [1, 3])
def test_stacking_refuses_a_depth_that_is_not_a_multiple_of_the_trained_one(layers):
    from playground.pretraining.stacking import stack_layers
    from tests.unit.tiny_bert import tiny_bert, tiny_bert_tokenizer

    with pytest.raises(ValueError, match="multiple of 2"):
        stack_layers(tiny_bert(tiny_bert_tokenizer()), layers)


# ------------------------------------------------------------------------------------------- training script
def training_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_bundled_models", "scripts/train_bundled_models.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_the_card_command_leaves_out_the_scratch_output_folder():
    script = training_script()
    argv = ["--model", "bert", "--out", "/tmp/scratch", "--minutes", "3", "--out=/tmp/other", "--lr", "5e-4"]
    assert script.command_line(argv) == (
        ".venv/bin/python scripts/train_bundled_models.py --model bert --minutes 3 --lr 5e-4"
    )


def test_changing_a_loaded_berts_dropout_changes_its_modules_and_its_saved_config():
    from tests.unit.tiny_bert import tiny_bert, tiny_bert_tokenizer

    model = tiny_bert(tiny_bert_tokenizer())
    training_script().set_dropout(model, 0.25)

    rates = {m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)}
    assert rates == {0.25}
    assert model.config.hidden_dropout_prob == model.config.attention_probs_dropout_prob == 0.25


def test_the_card_adds_up_every_stage_of_training():
    history = (
        "- Earlier stages of this model's training:\n"
        "  - `cmd one`: 3,072 steps, 2,903,904 training tokens in 43.1 minutes\n"
        "  - `cmd two`: 1,563 steps, 1,477,788 training tokens in 20.0 minutes\n\n"
    )
    totals = training_script().with_totals(history, {"steps": 1000, "tokens": 1_000_000, "seconds": 600})
    assert totals.endswith("In all: 73 minutes of training in 3 stages, 5,635 steps, 5.4 M training tokens.\n")
    assert training_script().with_totals("", {"steps": 1, "tokens": 1, "seconds": 60}) == ""


def test_a_cards_hand_written_notes_are_carried_into_the_next_stages_card(tmp_path):
    card = (
        "# m\n\n## Training\n- Command (from the repository root):\n\n```bash\nlast command\n```\n"
        "- Earlier stages of this model's training:\n"
        "  - `cmd one`: 3,072 steps, 2,903,904 training tokens in 43.1 minutes\n\n"
        "  This run continued from those weights (a fresh optimizer and learning-rate schedule).\n"
        "  In all: 73 minutes of training in 2 stages, 4,072 steps, 3.9 M training tokens.\n"
        "  Stage 2 ran beside a second candidate and was kept.\n\n## Validation\n| a | b |\n"
    )
    (tmp_path / "README.md").write_text(card, encoding="utf-8")
    assert training_script().carried_notes(tmp_path) == "  Stage 2 ran beside a second candidate and was kept.\n"
    assert training_script().carried_notes(None) == ""


def test_the_bundled_berts_card_keeps_its_note_about_scratch_folders():
    notes = training_script().carried_notes("assets/models/shakespeare-bert")
    assert notes.startswith("  Stages 4 to 7 each wrote to a scratch folder") and "In all" not in notes


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "bert", "--workers", "2"], "--workers is for --model gpt only"),
        (["--model", "gpt", "--short-seq-prob", "0.1"], "--short-seq-prob is for --model bert only"),
        (["--model", "bert", "--stack-to-layers", "8"], "give the folder to grow with --init-from"),
    ],
)
def test_the_script_refuses_options_that_would_be_silently_ignored(argv, message, capsys):
    with pytest.raises(SystemExit):
        training_script().parse_args(argv)
    assert message in capsys.readouterr().err
