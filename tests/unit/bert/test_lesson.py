"""What the BERT page decides without Streamlit: the text as BERT reads it, what is masked, and the quiz's tally."""

import pytest

from playground.bert import lesson, text
from playground.bert.quiz import QuizLine
from playground.models import LoadedModel


@pytest.fixture(scope="module")
def loaded(bert, bert_dir):
    model, tokenizer = bert
    return LoadedModel(tokenizer, "a bert", "local", bert_dir, model=model, has_nsp=True)


def test_reading_says_what_was_cut_and_what_became_unknown(loaded):
    long = lesson.read(loaded, "the cat sat on the mat. " * 40, 32)
    assert long.messages[0][0] == "warning" and "reads at most 32" in long.messages[0][1]
    odd = lesson.read(loaded, "the 🙂 cat", 32)
    assert any(kind == "info" and "became" in message for kind, message in odd.messages)
    assert lesson.read(loaded, "", 32).messages == [("info", text.NOTHING_TO_MASK)]


def test_text_no_token_of_can_be_read_says_why_and_names_a_model_that_reads_it(loaded):
    greek = lesson.read(loaded, "Γειά σου κόσμε", 32)
    (message,) = [m for kind, m in greek.messages if kind == "info"]
    assert message.startswith("Every token (3) became `[UNK]`")
    assert "`Γειά`, `σου`, `κόσμε`" in message  # the words the model cannot read, as the learner wrote them
    assert "its guesses here mean nothing" in message and f"`{text.MULTILINGUAL}`" in message
    mixed = lesson.read(loaded, "the cat 中文 sat", 32)
    (message,) = [m for kind, m in mixed.messages if kind == "info"]
    assert "mean nothing" not in message and "`中`" in message and "`cat`" not in message
    multilingual = LoadedModel(loaded.tokenizer, text.MULTILINGUAL, "hub", loaded.path, model=loaded.model)
    said = lesson.read(multilingual, "the cat 🙂 sat", 32).messages[-1][1]
    assert "Emoji" in said and "type `bert-base-multilingual-cased`" not in said  # it is already that model


def test_the_default_masks_belong_to_the_default_text_only(loaded):
    assert lesson.default_masked(loaded, "the cat sat on the mat.", 64) == []  # a link's own text: no stray masks
    tokens = lesson.read(loaded, lesson.DEFAULT_TEXT, 64).encoded.tokens
    masked = lesson.default_masked(loaded, lesson.DEFAULT_TEXT, 64)
    assert [tokens[p] for p in masked] == [w for w in tokens if w in lesson.DEFAULT_MASKED_WORDS] != []


def test_clicked_tokens_become_mask_and_every_token_masked_is_warned_about(loaded):
    reading = lesson.read(loaded, "the cat sat", 32)
    clicked = lesson.fill(loaded, reading, [2], rule=False, seed=0, top_k=3)
    assert [d.position for d in clicked.decisions] == [2] and clicked.messages == []
    every = lesson.fill(loaded, reading, reading.maskable, rule=False, seed=0, top_k=3)
    assert every.messages == [("warning", text.EVERY_TOKEN_MASKED)]
    nothing = lesson.fill(loaded, reading, [], rule=False, seed=0, top_k=3)
    assert nothing.messages == [("info", text.NOTHING_MASKED)] and "clicked = []" in nothing.code


def test_the_pretraining_rule_picks_by_its_seed_and_its_code_says_so(loaded):
    reading = lesson.read(loaded, "the cat sat on the mat and the dog sat on the log.", 64)
    picked = lesson.rule_positions(loaded, reading, seed=4)
    filled = lesson.fill(loaded, reading, picked, rule=True, seed=4, top_k=3)
    assert [d.position for d in filled.decisions] == picked and "seed = 4" in filled.code
    assert lesson.rule_positions(loaded, reading, seed=4) == picked


def test_a_quiz_line_counts_once_with_the_guess_made_before_the_reveal():
    tally, line = lesson.Tally(), QuizLine(3, "O [MASK] Romeo", "gentle")
    assert not tally.revealed(line)
    first = tally.count(line, " Gentle ", bert_top1="sweet")
    assert (first.guess, first.you, first.bert) == ("Gentle", True, False) and tally.revealed(line)
    assert tally.count(line, "wrong now", bert_top1="gentle") == first  # a second try on a revealed line is not counted
    tally.count(QuizLine(4, "a [MASK]", "rose"), "", bert_top1="rose")
    assert (tally.you, tally.bert) == ("1 of 2", "1 of 2")


def test_a_guess_is_shown_as_plain_text():
    assert lesson.plain_guess("  **bold** <b>x</b> it's-ok  ") == "bold bxb it's-ok"  # no markup character survives


def test_with_no_text_in_the_link_the_page_opens_on_the_default_masks(loaded):
    assert lesson.default_masked(loaded, None, 64) == lesson.default_masked(loaded, lesson.DEFAULT_TEXT, 64) != []
