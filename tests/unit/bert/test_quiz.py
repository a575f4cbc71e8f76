"""Guess the hidden word: which word is hidden, in which line, and BERT's guesses checked against transformers."""

import random
import re

import pytest
import torch
from transformers import AutoTokenizer, pipeline

from playground import REPO as ROOT
from playground.bert.code_panel import quiz_score_code
from playground.bert.held_out import (
    MaskedWord,
    MaskedWordResult,
    by_training_frequency,
    masked_word_items,
    ordinary_words,
)
from playground.bert.next_sentence import corpus_sentences
from playground.bert.quiz import (
    MAX_SCORED_LINES,
    is_right,
    quiz_line,
    quiz_lines,
    reveal,
    score_on_held_out_lines,
    scored_table,
)
from playground.models import load_model
from tests.helpers import assert_self_contained, run_panel
from tests.unit.conftest import BUNDLED_BERT


@pytest.fixture(scope="module")
def fill(bert_dir):
    return pipeline("fill-mask", model=bert_dir, tokenizer=bert_dir, device="cpu", dtype=torch.float32)


# ---- which word is hidden -----------------------------------------------------------------------------------------
def test_an_ordinary_word_is_a_whole_lower_case_word_the_vocabulary_keeps_whole():
    vocab = {"call", "d", "tis", "king", "s", "good", "morrow", "to", "baptista"}
    line = "Call'd Baptista 'tis good morrow to the king's"
    assert [m.group() for m in ordinary_words(line, vocab)] == ["good", "morrow"]
    assert [m.group() for m in ordinary_words(line, vocab, min_letters=1)] == ["good", "morrow", "to"]


def test_a_quiz_line_is_a_held_out_sentence_with_one_ordinary_word_masked(bert):
    _, tokenizer = bert
    line = quiz_line(tokenizer, 3, 64)
    assert line.masked.count(tokenizer.mask_token) == 1
    assert line.masked.replace(tokenizer.mask_token, line.answer) in corpus_sentences()
    assert re.fullmatch(r"[a-z]{3,}", line.answer) and line.answer in tokenizer.get_vocab()


def test_the_same_round_gives_the_same_line_rounds_differ_and_wrap_round(bert):
    _, tokenizer = bert
    assert quiz_line(tokenizer, 5, 64) == quiz_line(tokenizer, 5, 64)
    assert len({quiz_line(tokenizer, n, 64).masked for n in range(20)}) == 20
    n_lines = len(quiz_lines(tokenizer, 64))
    assert quiz_line(tokenizer, n_lines + 5, 64) == quiz_line(tokenizer, 5, 64)  # the same line, numbered 6 again


def test_the_quiz_picks_its_words_with_the_model_cards_routine(bert):
    _, tokenizer = bert
    shuffled = list(corpus_sentences())
    random.Random(0).shuffle(shuffled)
    picked = masked_word_items(tokenizer, shuffled, n_lines=len(shuffled))
    assert [(q.masked, q.answer) for q in quiz_lines(tokenizer, 512)] == picked[: len(quiz_lines(tokenizer, 512))]


def test_a_line_too_long_for_the_model_is_passed_over(bert):
    _, tokenizer = bert
    for n in range(30):
        assert len(tokenizer(quiz_line(tokenizer, n, 24).masked)["input_ids"]) <= 24


def test_with_no_ordinary_word_anywhere_the_quiz_says_so(bert):
    _, tokenizer = bert
    with pytest.raises(ValueError, match="no ordinary word|none of the held-out sentences"):
        quiz_line(tokenizer, 0, 64, sentences=("ROMEO: O Juliet!", "Ay, ay."))


def test_a_guess_counts_whatever_its_case_and_spaces_but_not_a_part_of_the_word():
    assert is_right("  Love ", "love")
    assert not is_right("lov", "love") and not is_right("", "love") and not is_right("loves", "love")


# ---- BERT's guesses ---------------------------------------------------------------------------------------------
def test_reveal_gives_the_fill_mask_pipelines_top_five(bert, fill):
    model, tokenizer = bert
    line = quiz_line(tokenizer, 2, 64)
    shown = reveal(model, tokenizer, line, 64)
    expected = fill(line.masked, top_k=5)
    prediction = shown.result.predictions[0]
    assert [p.token_id for p in prediction.top] == [e["token"] for e in expected]
    assert [p.probability for p in prediction.top] == pytest.approx([e["score"] for e in expected], rel=1e-4, abs=1e-7)
    assert prediction.original_token == line.answer and shown.text.count(line.answer) >= 1


def test_scoring_counts_the_lines_where_the_pipelines_first_guess_is_the_word(bert, fill):
    model, tokenizer = bert
    scored = score_on_held_out_lines(model, tokenizer, 30, 64)
    lines = [quiz_line(tokenizer, n, 64) for n in range(30)]
    guesses = [[e["token"] for e in fill(q.masked, top_k=5)] for q in lines]  # ids: token_str drops "##"
    answers = [tokenizer.convert_tokens_to_ids(q.answer) for q in lines]
    assert scored.n == 30
    assert scored.accuracy == pytest.approx(sum(g[0] == a for g, a in zip(guesses, answers, strict=True)) / 30)
    assert scored.top5_accuracy == pytest.approx(sum(a in g for g, a in zip(guesses, answers, strict=True)) / 30)
    assert [row["word"] for row in scored_table(scored)] == [q.answer for q in lines]


def test_the_score_code_prints_the_pages_figures(bert_dir, bert):
    model, tokenizer = bert
    scored = score_on_held_out_lines(model, tokenizer, 40, 64)
    source = quiz_score_code(bert_dir, True, 40, 64)
    assert_self_contained(source)
    _, printed = run_panel(source, cwd=ROOT)  # it reads assets/bert/sentences.txt, as from the repository root
    right, top5 = round(scored.accuracy * 40), round(scored.top5_accuracy * 40)
    assert printed.strip() == (
        f"first guess right {right} of 40 ({scored.accuracy:.0%}), word among the five "
        f"{top5} of 40 ({scored.top5_accuracy:.0%})"
    )


def test_scoring_is_capped_so_a_shared_space_stays_responsive(bert):
    model, tokenizer = bert
    many = tuple(f"the cat sat on the mat number {i}." for i in range(MAX_SCORED_LINES + 50))
    assert score_on_held_out_lines(model, tokenizer, 10**6, 64, sentences=many).n == MAX_SCORED_LINES


@pytest.mark.skipif(not BUNDLED_BERT, reason="bundled BERT not trained yet")
def test_the_bundled_bert_guesses_held_out_words_far_more_often_than_chance():
    loaded = load_model("bert")  # as the page loads it
    scored = score_on_held_out_lines(loaded.model, loaded.tokenizer, MAX_SCORED_LINES, 128)
    assert scored.accuracy > 0.15  # 0.194 on all 396 lines when this test was written; chance is 1 in 4,096
    assert scored.top5_accuracy > 0.35  # 0.437


# ---- the card's split by word frequency ----------------------------------------------------------------------
def test_frequency_bands_split_the_words_by_how_often_training_had_them():
    examples = [
        MaskedWord("a [MASK]", "the", ["the", "a", "of", "to", "in"]),
        MaskedWord("b [MASK]", "love", ["hate", "love", "x", "y", "z"]),
        MaskedWord("c [MASK]", "morrow", ["day", "x", "y", "z", "w"]),
    ]
    result = MaskedWordResult(examples)
    bands = by_training_frequency(result, {"the": 5000, "love": 50, "morrow": 3})
    assert [(b.n, b.accuracy, b.top5_accuracy) for b in bands] == [(1, 1.0, 1.0), (1, 0.0, 1.0), (1, 0.0, 0.0)]
    assert [b.label for b in bands] == ["100 times or more", "10 to 99 times", "fewer than 10 times"]


def test_the_score_code_runs_for_a_model_without_segment_embeddings(tmp_path):
    from transformers import AutoModelForMaskedLM

    from tests.unit.tiny_bert import save_tiny_distilbert

    folder = str(save_tiny_distilbert(tmp_path / "distil"))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForMaskedLM.from_pretrained(folder, attn_implementation="eager", dtype=torch.float32).eval()
    scored = score_on_held_out_lines(model, tokenizer, 20, 64)
    source = quiz_score_code(folder, False, 20, 64)
    assert_self_contained(source)
    _, printed = run_panel(source, cwd=ROOT)
    assert printed.startswith(f"first guess right {round(scored.accuracy * 20)} of 20 ")
