"""The BERT page's defaults are its first lesson: chosen by measuring the bundled model, they show it at its best,
and the modern sentence shows where it fails. These tests hold the bundled model to that."""

import re
import statistics

import pytest

from playground.bert import lesson, text
from playground.bert import next_sentence as ns
from playground.bert.encode import max_input_tokens
from playground.models import BERT_DIR, load_model

pytestmark = pytest.mark.skipif(not (BERT_DIR / "config.json").exists(), reason="bundled BERT not trained yet")
N_RANDOM_B = 10  # the page's first ten presses of "Swap in a random sentence as B"


@pytest.fixture(scope="module")
def bundled():
    return load_model("bert")


@pytest.fixture(scope="module")
def limit(bundled):
    return max_input_tokens(bundled.model, bundled.tokenizer)


def is_next(bundled, a: str, b: str) -> float:
    return ns.next_sentence(bundled.model, bundled.tokenizer, a, b, 128).is_next_probability


def test_the_bundled_model_gets_every_default_masked_word_right(bundled, limit):
    reading = lesson.read(bundled, lesson.DEFAULT_TEXT, limit)
    masked = lesson.default_masked(bundled, lesson.DEFAULT_TEXT, limit)
    filling = lesson.fill(bundled, reading, masked, rule=False, seed=0, top_k=5)
    guesses = [(p.original_token, p.top[0].token) for p in filling.result.predictions]
    assert guesses == [("thou", "thou"), ("thy", "thy"), ("thy", "thy")]
    assert all(p.right for p in filling.result.predictions)
    assert filling.result.mlm_loss < 1.0  # measured 0.564; a uniform guess would score ln 4096 = 8.3


def test_the_modern_sentence_is_one_the_bundled_model_gets_wrong(bundled, limit):
    settings = lesson.modern_example(bundled, limit)
    reading = lesson.read(bundled, settings["text"], limit)
    assert [reading.encoded.tokens[p] for p in settings["masked"]] == ["paris"]  # the word is whole, so clickable
    filling = lesson.fill(bundled, reading, settings["masked"], rule=False, seed=0, top_k=5)
    (paris,) = filling.result.predictions
    assert paris.right is False
    assert "paris" not in [p.token for p in paris.top]  # not even among its five guesses
    assert paris.original_probability < 0.01  # measured 0.0001


def test_the_default_real_pair_beats_the_pages_random_bs_and_nine_in_ten_of_the_corpus(bundled):
    a, b = ns.DEFAULT_PAIR
    sentences = ns.corpus_sentences()
    assert sentences.index(b) == sentences.index(a) + 1  # a real pair: B follows A in the held-out text
    real = is_next(bundled, a, b)
    random_bs = [ns.random_sentence(seed, b) for seed in range(1, N_RANDOM_B + 1)]
    assert b not in random_bs
    on_random = [is_next(bundled, a, other) for other in random_bs]
    assert real > max(on_random)  # measured 79.8% against at most 56.7%
    assert real - statistics.mean(on_random) > 0.3  # measured 79.8% against a mean of 35.2%
    on_every_other = [is_next(bundled, a, other) for other in sentences if other not in (a, b)]
    assert sum(p < real for p in on_every_other) >= 0.9 * len(on_every_other)  # measured 369 of 398


def test_the_nsp_accuracy_the_page_quotes_is_the_model_cards():
    card = (BERT_DIR / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"\| next-sentence accuracy \| ([0-9.]+) ", card)
    assert quoted and float(quoted.group(1)) == text.NSP_HELD_OUT_ACCURACY
