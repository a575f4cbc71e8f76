"""The model-loading layer: bundled models offline, local folders, a hub cache, and clear errors for bad choices.

Independent models are tiny random configs saved into tmp_path with `save_pretrained`, exactly as a hub or local
model folder looks. Nothing here touches the network: HF_HUB_OFFLINE is set, and the download path is replaced by
stand-ins that hang or fail the way a real network does.
"""

from __future__ import annotations

import json
import re
import time
from types import SimpleNamespace

import pytest
import torch
import transformers

from playground import models
from playground.bert.held_out import by_training_frequency, masked_word_items, masked_word_predictions
from playground.models import BERT_DIR, GPT_DIR, KINDS, ModelLoadError, load_model
from playground.pretraining.corpus import read_corpus, split_holdout
from playground.pretraining.fill_baseline import NeighbourCounts
from playground.pretraining.gpt_metrics import causal_lm_heldout_loss
from playground.pretraining.tokenizer_training import train_byte_level_bpe, train_wordpiece
from playground.server_paths import ROOTS_ENV
from playground.training.gpt_corpus import bundled_corpus
from playground.url_values import quoted

TEXT = (
    "ROMEO: But soft, what light through yonder window breaks?\nJULIET: O Romeo, Romeo, wherefore art thou Romeo?\n"
) * 20
CORPUS = bundled_corpus()  # data/ (make corpus), else ../shared/data
PREVIOUS_GPT_LOSS_PER_CHAR = 1.561  # the bundled GPT before the Training page's loop retrained it (43 min, 1 thread)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def save_tiny_gpt(folder):
    tok = train_byte_level_bpe(TEXT, 300)
    config = transformers.GPT2Config(vocab_size=len(tok), n_positions=32, n_embd=16, n_layer=1, n_head=2)
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(config)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return model.eval(), tok


def save_tiny_bert(folder, cls=transformers.BertForPreTraining):
    tok = train_wordpiece(TEXT, 200)
    config = transformers.BertConfig(
        vocab_size=len(tok),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    torch.manual_seed(0)
    model = cls(config)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return model.eval(), tok


# ------------------------------------------------------------------------------------------- bundled models
@pytest.mark.parametrize("kind, folder", [("gpt", GPT_DIR), ("bert", BERT_DIR)])
def test_bundled_model_loads_offline_in_eval_mode_with_eager_attention(kind, folder):
    loaded = load_model(kind, "bundled")
    assert loaded.source == "bundled" and loaded.path == str(folder)
    assert not loaded.model.training
    assert loaded.model.config._attn_implementation == "eager"
    assert next(loaded.model.parameters()).dtype == torch.float32
    enc = loaded.tokenizer("ROMEO: What light through yonder window breaks?", return_tensors="pt")
    with torch.no_grad():
        out = loaded.model(**enc, output_attentions=True)
    logits = out.logits if kind == "gpt" else out.prediction_logits
    assert logits.shape[:2] == enc["input_ids"].shape and torch.isfinite(logits).all()
    assert len(out.attentions) == loaded.model.config.num_hidden_layers
    assert all(torch.isfinite(a).all() for a in out.attentions)


def test_bundled_bert_has_both_pretraining_heads():
    loaded = load_model("bert")
    assert loaded.has_nsp and isinstance(loaded.model, transformers.BertForPreTraining)
    enc = loaded.tokenizer("Good morrow.", "Good morrow, neighbour.", return_tensors="pt")
    with torch.no_grad():
        nsp = loaded.model(**enc).seq_relationship_logits
    assert nsp.shape == (1, 2) and torch.isfinite(nsp).all()


@pytest.mark.parametrize("folder", [GPT_DIR, BERT_DIR])
def test_bundled_folders_fit_a_space_without_lfs(folder):
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    assert size <= 10 * 1024 * 1024, f"{folder.name} is {size / 1e6:.1f} MB"
    assert (folder / "model.safetensors").is_file() and (folder / "README.md").is_file()


def card_loss_per_char(card: str) -> tuple[int, float]:
    m = re.search(r"loss per character on first (\d+) held-out\s+characters: ([0-9.]+)", card)
    assert m, "the GPT card must state the loss per character on a held-out subset"
    return int(m.group(1)), float(m.group(2))


@pytest.mark.skipif(not CORPUS.is_file(), reason="the training corpus is not in the repository")
def test_bundled_gpt_loss_per_char_on_held_out_text_is_no_worse_than_its_card():
    n_chars, stated = card_loss_per_char((GPT_DIR / "README.md").read_text())
    _, held_out = split_holdout(read_corpus(CORPUS), 0.1)
    loaded = load_model("gpt")
    block = int(re.search(r"in windows of (\d+) tokens", (GPT_DIR / "README.md").read_text()).group(1))
    measured = causal_lm_heldout_loss(loaded.model, loaded.tokenizer, held_out[:n_chars], block).loss_per_char
    assert measured <= stated + 5e-4  # the card rounds to 4 decimals


@pytest.mark.skipif(not CORPUS.is_file(), reason="the training corpus is not in the repository")
def test_the_bundled_gpt_comes_from_the_training_pages_job_on_two_workers_and_beats_the_one_before():
    """Measured as every card measures it (each held-out token once, in 128-token windows), on all the held-out text."""
    card = (GPT_DIR / "README.md").read_text()
    assert "python -m playground.training.train --task gpt --workers 2 " in card
    assert "2 worker processes with data parallelism (DDP over gloo" in card
    _, held_out = split_holdout(read_corpus(CORPUS), 0.1)
    loaded = load_model("gpt")
    measured = causal_lm_heldout_loss(loaded.model, loaded.tokenizer, held_out, 128).loss_per_char
    stated = float(re.search(r"\| loss per character \| ([0-9.]+) nats", card).group(1))
    assert abs(measured - stated) < 5e-4 and measured < PREVIOUS_GPT_LOSS_PER_CHAR


@pytest.fixture(scope="module")
def bert_on_held_out_lines():
    """The card's measurement, made once for the tests below: one masked word in every held-out line."""
    train, held_out = split_holdout(read_corpus(CORPUS), 0.1)
    loaded = load_model("bert")
    lines = [line for line in held_out.splitlines() if line.strip()]
    return SimpleNamespace(
        train=train,
        lines=lines,
        loaded=loaded,
        result=masked_word_predictions(loaded.model, loaded.tokenizer, lines, n_lines=len(lines)),
    )


@pytest.mark.skipif(not CORPUS.is_file(), reason="the training corpus is not in the repository")
def test_bundled_bert_fills_masked_held_out_words_as_often_as_its_card_states(bert_on_held_out_lines):
    m = re.search(
        r"top-1 for one masked ordinary word per held-out line \| ([0-9.]+) \((\d+) words\)",
        (BERT_DIR / "README.md").read_text(),
    )
    assert m, "the BERT card must state its top-1 on masked held-out words"
    stated, n_words = float(m.group(1)), int(m.group(2))
    result = bert_on_held_out_lines.result
    assert result.n == n_words
    assert result.accuracy >= stated - 5e-4  # the card rounds to 3 decimals
    top5 = re.search(r"the word is among the top 5 predictions \| ([0-9.]+) \|", (BERT_DIR / "README.md").read_text())
    assert top5, "the BERT card must state how often the word is among the top 5"
    assert result.top5_accuracy >= float(top5.group(1)) - 5e-4
    assert result.top5_accuracy >= result.accuracy


@pytest.mark.skipif(not CORPUS.is_file(), reason="the training corpus is not in the repository")
def test_bundled_bert_card_splits_its_masked_word_figure_by_how_often_training_had_the_word(bert_on_held_out_lines):
    card = (BERT_DIR / "README.md").read_text()
    stated = {
        m.group(1): (int(m.group(2).replace(",", "")), float(m.group(3)), float(m.group(4)))
        for m in re.finditer(r"\| ([^|]*times[^|]*) \| ([0-9,]+) \| ([0-9.]+) \| ([0-9.]+) \|", card)
    }
    assert len(stated) == 3, "the BERT card must split its figure into three frequency bands"
    measured = bert_on_held_out_lines
    bands = by_training_frequency(measured.result, NeighbourCounts(measured.train).unigrams)
    assert {b.label: (b.n, round(b.accuracy, 3), round(b.top5_accuracy, 3)) for b in bands} == stated
    common, _, rare = bands
    assert common.accuracy > 0.2 and common.accuracy > 5 * rare.accuracy + 0.1  # it knows the words it read often


@pytest.mark.skipif(not CORPUS.is_file(), reason="the training corpus is not in the repository")
def test_bundled_bert_fills_masked_held_out_words_better_than_counting_their_neighbours(bert_on_held_out_lines):
    train, lines, loaded = bert_on_held_out_lines.train, bert_on_held_out_lines.lines, bert_on_held_out_lines.loaded
    bert = bert_on_held_out_lines.result  # every line, as the card
    items = masked_word_items(loaded.tokenizer, lines, n_lines=len(lines))
    counting = NeighbourCounts(train, set(loaded.tokenizer.get_vocab())).accuracy(items, loaded.tokenizer.mask_token)
    assert counting > 0.05  # the reference is a real one: it gets some words right
    assert bert.accuracy > 1.2 * counting


# ----------------------------------------------------------------------------------- local folders and hub ids
def test_local_gpt_folder_loads_the_saved_weights(tmp_path):
    original, tok = save_tiny_gpt(tmp_path / "tiny-gpt")
    loaded = load_model("gpt", str(tmp_path / "tiny-gpt"))
    assert loaded.source == "local" and not loaded.has_nsp
    ids = torch.tensor([tok("ROMEO: But soft")["input_ids"]])
    with torch.no_grad():
        torch.testing.assert_close(loaded.model(ids).logits, original(ids).logits)
    assert loaded.tokenizer.convert_ids_to_tokens(ids[0]) == tok.convert_ids_to_tokens(ids[0])


def test_bert_without_next_sentence_weights_loads_as_masked_lm(tmp_path):
    save_tiny_bert(tmp_path / "mlm-only", cls=transformers.BertForMaskedLM)
    loaded = load_model("bert", str(tmp_path / "mlm-only"))
    assert not loaded.has_nsp and isinstance(loaded.model, transformers.BertForMaskedLM)


def test_bert_with_next_sentence_weights_loads_for_pretraining(tmp_path):
    original, tok = save_tiny_bert(tmp_path / "pretraining")
    loaded = load_model("bert", str(tmp_path / "pretraining"))
    assert loaded.has_nsp
    enc = tok("good morrow", "to you", return_tensors="pt")
    with torch.no_grad():
        torch.testing.assert_close(loaded.model(**enc).seq_relationship_logits, original(**enc).seq_relationship_logits)


def make_fake_hub_cache(cache, repo_id, save):
    """The layout huggingface_hub writes: models--org--name/{refs/main, snapshots/<commit>/files}."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    save(repo / "snapshots" / commit)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)


def test_hub_id_is_taken_from_the_local_cache_without_network(tmp_path, monkeypatch):
    make_fake_hub_cache(tmp_path, "tiny-org/tiny-gpt", save_tiny_gpt)
    monkeypatch.setattr(models, "HUB_CACHE_DIR", str(tmp_path))
    loaded = load_model("gpt", "tiny-org/tiny-gpt")
    assert loaded.source == "hub" and loaded.name == "tiny-org/tiny-gpt"
    assert isinstance(loaded.model, transformers.GPT2LMHeadModel)


# ------------------------------------------------------------------------------------------------- bad choices
def assert_clear_error(kind, choice, *words, seconds=5.0, **kw):
    start = time.monotonic()
    with pytest.raises(ModelLoadError) as err:
        load_model(kind, choice, **kw)
    assert time.monotonic() - start < seconds, "a bad choice must fail fast"
    for word in words:
        assert word in str(err.value)
    return str(err.value)


def test_missing_folder(tmp_path):
    assert_clear_error("gpt", str(tmp_path / "nowhere"), "no folder")


def test_folder_without_config(tmp_path):
    (tmp_path / "empty").mkdir()
    assert_clear_error("gpt", str(tmp_path / "empty"), "config.json")


def test_corrupt_config(tmp_path):
    save_tiny_gpt(tmp_path / "m")
    (tmp_path / "m" / "config.json").write_text("{not json")
    assert_clear_error("gpt", str(tmp_path / "m"), "damaged")


@pytest.mark.parametrize("kind, save", [("gpt", save_tiny_gpt), ("bert", save_tiny_bert)])
def test_corrupt_weights(tmp_path, kind, save):
    save(tmp_path / "m")
    (tmp_path / "m" / "model.safetensors").write_bytes(b"\x00garbage, not safetensors")
    assert_clear_error(kind, str(tmp_path / "m"), "damaged")


def test_missing_weights(tmp_path):
    save_tiny_gpt(tmp_path / "m")
    (tmp_path / "m" / "model.safetensors").unlink()
    assert_clear_error("gpt", str(tmp_path / "m"), "pick the bundled model")


def test_a_bert_folder_on_the_gpt_side(tmp_path):
    save_tiny_bert(tmp_path / "bert")
    assert_clear_error("gpt", str(tmp_path / "bert"), "BertForPreTraining")


def test_hub_id_not_cached_while_offline_fails_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "HUB_CACHE_DIR", str(tmp_path))
    message = assert_clear_error(
        "gpt", "no-such-org/no-such-model", "not in this computer's Hugging Face cache", seconds=2
    )
    assert "bundled" in message


def test_malformed_hub_id():
    assert_clear_error("bert", "what is bert?", "neither a folder nor a Hugging Face model id")


def test_a_hanging_download_gives_up_after_the_timeout(tmp_path, monkeypatch):
    import huggingface_hub

    real = huggingface_hub.snapshot_download

    def hang_when_online(*args, local_files_only=False, **kw):
        if local_files_only:
            return real(*args, local_files_only=True, **kw)
        time.sleep(30)

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(models, "HUB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(huggingface_hub, "snapshot_download", hang_when_online)
    assert_clear_error("gpt", "gpt2", "Gave up", "after 0.5 s", seconds=3, timeout=0.5)


def test_unknown_hub_id_online_says_it_does_not_exist(tmp_path, monkeypatch):
    import huggingface_hub
    from huggingface_hub.errors import RepositoryNotFoundError

    def not_found(*args, local_files_only=False, **kw):
        if local_files_only:
            raise huggingface_hub.errors.LocalEntryNotFoundError("not cached")
        response = SimpleNamespace(headers={}, request=None, status_code=404)  # what the error reads from it
        raise RepositoryNotFoundError("404 Repository Not Found", response=response)

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", not_found)
    assert_clear_error("bert", "no-such-org/bert", "no public model", seconds=2)


def test_no_network_says_the_hub_cannot_be_reached(monkeypatch):
    import huggingface_hub

    def no_network(*args, local_files_only=False, **kw):
        if local_files_only:
            raise huggingface_hub.errors.LocalEntryNotFoundError("not cached")
        raise ConnectionError("Name or service not known")

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", no_network)
    assert_clear_error("gpt", "distilgpt2", "can't be reached", seconds=2)


def test_bundled_stays_usable_after_errors(tmp_path):
    for choice in (str(tmp_path / "nowhere"), "no-such-org/no-such-model"):
        with pytest.raises(ModelLoadError):
            load_model("gpt", choice)
    assert load_model("gpt").source == "bundled"


def test_missing_bundled_folder_says_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setitem(models.BUNDLED_DIRS, "gpt", tmp_path / "shakespeare-gpt")
    assert_clear_error("gpt", "bundled", "scripts/train_bundled_models.py")


def test_load_tokenizer_only():
    loaded = models.load_tokenizer("bert")
    assert loaded.source == "bundled" and loaded.tokenizer.mask_token == "[MASK]"
    assert loaded.code_ref == "assets/models/shakespeare-bert"  # how "the code" names it, from the repository root
    with pytest.raises(ModelLoadError):
        models.load_tokenizer("gpt", "/no/such/folder")


# ------------------------------------------------------- typed folders: only under the allowed roots (issue 19)
def test_a_folder_outside_the_allowed_roots_is_refused_the_same_whether_it_holds_a_model_or_not(tmp_path, monkeypatch):
    save_tiny_gpt(tmp_path / "outside" / "gpt")
    monkeypatch.setenv(ROOTS_ENV, str(tmp_path / "allowed"))
    typed = [str(tmp_path / "outside" / "gpt"), str(tmp_path / "outside" / "nothing"), "/etc", "/"]
    messages = set()
    for choice in typed:
        message = assert_clear_error("gpt", choice, ROOTS_ENV, "pick the bundled model")
        messages.add(message.replace(quoted(choice, limit=160), "PATH"))
        with pytest.raises(ModelLoadError, match=ROOTS_ENV):
            models.load_tokenizer("gpt", choice)
    assert len(messages) == 1, messages  # nothing tells whether a folder exists out there


def test_a_link_out_of_an_allowed_root_is_followed_before_the_check(tmp_path, monkeypatch):
    save_tiny_gpt(tmp_path / "outside" / "gpt")
    (tmp_path / "allowed").mkdir()
    (tmp_path / "allowed" / "door").symlink_to(tmp_path / "outside")
    monkeypatch.setenv(ROOTS_ENV, str(tmp_path / "allowed"))
    assert_clear_error("gpt", str(tmp_path / "allowed" / "door" / "gpt"), ROOTS_ENV)
    assert_clear_error("gpt", str(tmp_path / "allowed" / ".." / "outside" / "gpt"), ROOTS_ENV)
    monkeypatch.setenv(ROOTS_ENV, str(tmp_path / "outside"))  # the operator allows it: it loads
    assert load_model("gpt", str(tmp_path / "allowed" / "door" / "gpt")).source == "local"


def test_a_scripts_own_output_folder_may_lie_anywhere(tmp_path, monkeypatch):
    save_tiny_gpt(tmp_path / "scratch")
    monkeypatch.setenv(ROOTS_ENV, str(tmp_path / "allowed"))
    assert load_model("gpt", str(tmp_path / "scratch"), typed=False).source == "local"


@pytest.mark.parametrize(
    "choice",
    ["/" + "a" * 300, "./" + "b" * 300, "org/" + "c" * 300, "d" * 300, "e" * 150 + "/" + "f" * 150, "/x" * 50_000],
    ids=["absolute", "relative", "org-id", "bare-id", "two-halves", "100000-characters"],
)
@pytest.mark.parametrize("kind", KINDS)
def test_a_300_character_hub_id_or_path_is_a_message_not_an_os_error(tmp_path, monkeypatch, kind, choice):
    monkeypatch.setenv(ROOTS_ENV, "/")  # even where every folder is allowed, a name too long is only a message
    message = assert_clear_error(kind, choice)
    assert "Errno" not in message and len(message) < 700
    with pytest.raises(ModelLoadError):
        models.load_tokenizer(kind, choice)


@pytest.mark.parametrize("kind, save", [("gpt", save_tiny_gpt), ("bert", save_tiny_bert)])
def test_weights_without_tokenizer_files_are_refused_saying_what_is_missing(tmp_path, kind, save):
    save(tmp_path / "m")
    for name in ("tokenizer.json", "vocab.txt", "vocab.json", "merges.txt"):
        (tmp_path / "m" / name).unlink(missing_ok=True)
    message = assert_clear_error(kind, str(tmp_path / "m"), "no tokenizer files", "tokenizer.save_pretrained")
    assert "tokenizer.json" in message and "vocab.txt" in message
    with pytest.raises(ModelLoadError, match="no tokenizer files"):
        models.load_tokenizer(kind, str(tmp_path / "m"))


def test_a_bpe_vocabulary_without_its_merges_is_refused(tmp_path):
    _, tok = save_tiny_gpt(tmp_path / "m")
    (tmp_path / "m" / "tokenizer.json").unlink()
    (tmp_path / "m" / "vocab.json").write_text(json.dumps(tok.get_vocab()))  # the slow format's half, alone
    assert_clear_error("gpt", str(tmp_path / "m"), "vocab.json but no merges.txt")


def test_a_file_instead_of_a_folder_and_a_garbage_config_are_messages(tmp_path):
    (tmp_path / "weights.safetensors").write_bytes(b"not a folder")
    assert_clear_error("gpt", str(tmp_path / "weights.safetensors"), "is a file, not a folder")
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "config.json").write_bytes(b"\xff\xfe garbage \x00")
    assert_clear_error("bert", str(tmp_path / "garbage"), "damaged")
    (tmp_path / "listed").mkdir()
    (tmp_path / "listed" / "config.json").write_text("[1, 2, 3]")
    assert_clear_error("bert", str(tmp_path / "listed"), "not a JSON object")
