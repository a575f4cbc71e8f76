"""The tokenizer view's backend: tokens tied to their characters, counts, special and unknown tokens, the code."""

from __future__ import annotations

import pytest

from playground import REPO
from playground.models import BERT_DIR, load_tokenizer
from playground.tokenization.chips import tokens_html
from playground.tokenization.code_panel import tokenization_code
from playground.tokenization.tokens import MAX_CHARS, check_text, tokenize
from tests.helpers import assert_self_contained, run_panel

SAMPLE = "ROMEO: But soft, what light through yonder window breaks?\nTokenizers dislike unfamiliar words."


@pytest.fixture(scope="module")
def gpt_tok():
    return load_tokenizer("gpt").tokenizer


@pytest.fixture(scope="module")
def bert_tok():
    return load_tokenizer("bert").tokenizer


def test_gpt_tokens_cover_the_text_exactly_and_show_leading_spaces(gpt_tok):
    result = tokenize(gpt_tok, SAMPLE)
    assert result.algorithm == "byte-level BPE"
    assert "".join(t.text for t in result.tokens) == SAMPLE  # no special tokens, nothing lost
    assert result.ids == gpt_tok(SAMPLE)["input_ids"]
    assert result.n_special == 0 and result.n_unknown == 0
    assert any(t.piece.startswith("Ġ") and t.text.startswith(" ") for t in result.tokens)
    assert any(t.piece == "Ċ" and t.text == "\n" for t in result.tokens)
    assert result.chars_per_token == pytest.approx(len(SAMPLE) / len(result.tokens))


def test_bert_adds_cls_and_sep_and_marks_word_pieces(bert_tok):
    result = tokenize(bert_tok, SAMPLE)
    assert result.algorithm == "WordPiece"
    assert [t.piece for t in result.tokens if t.special] == ["[CLS]", "[SEP]"]
    assert result.tokens[0].special and result.tokens[-1].special and result.n_special == 2
    assert result.ids == bert_tok(SAMPLE)["input_ids"]
    inside = [t for t in result.tokens if t.piece.startswith("##")]
    assert inside, "an unfamiliar word should be cut into pieces"
    for t in inside:  # a ## piece continues the word: the character before it is a letter, not a space
        assert SAMPLE[t.start - 1].isalnum()
    for t in result.tokens:
        if not t.special:
            assert t.text.lower() == t.piece.removeprefix("##")  # lower-cased WordPiece: the piece is the text
    assert result.chars_per_token == pytest.approx(len(SAMPLE) / (len(result.tokens) - 2))


def test_emoji_greek_and_cjk(gpt_tok, bert_tok):
    text = "Hello 🙂 λόγος 東京"
    gpt = tokenize(gpt_tok, text)
    assert gpt.n_unknown == 0 and gpt_tok.decode(gpt.ids) == text  # bytes: nothing is ever unknown
    assert len(gpt.tokens) > len(text.split())  # the emoji and the non-Latin letters fall apart into bytes
    bert = tokenize(bert_tok, text)
    # Shakespeare has no emoji, Greek or kanji: WordPiece has no pieces for them
    assert bert.n_unknown >= 3
    assert {t.text for t in bert.tokens if t.unknown} >= {"🙂", "東", "京"}


def test_empty_text(gpt_tok, bert_tok):
    assert tokenize(gpt_tok, "").n_tokens == 0
    assert [t.piece for t in tokenize(bert_tok, "").tokens] == ["[CLS]", "[SEP]"]


def test_long_text_is_capped_with_a_message():
    text, message = check_text("a" * (MAX_CHARS + 5))
    assert len(text) == MAX_CHARS and "first 2,000" in message
    assert check_text("short") == ("short", None)


def test_html_has_one_chip_per_token_escapes_text_and_marks_specials(bert_tok):
    result = tokenize(bert_tok, "<b>bold</b> & 東")
    html = tokens_html(result)
    assert html.count("token ") == result.n_tokens
    assert "<b>" not in html and "&lt;" in html
    assert html.count("dashed") == 2 and html.count("solid #d33") == result.n_unknown >= 1


def test_the_code_reproduces_the_tokens_on_screen(gpt_tok, bert_tok):
    text = 'O Romeo, Romeo!\n\'Tis 🙂 "quoted" \\ backslash'
    refs = ["assets/models/shakespeare-gpt", "assets/models/shakespeare-bert"]
    source = tokenization_code(text, refs)
    assert_self_contained(source)
    scope, _ = run_panel(source, cwd=REPO)  # the code is written for the repository root
    for ref, tok in zip(refs, (gpt_tok, bert_tok), strict=True):
        result = tokenize(tok, text)
        assert scope["results"][ref] == ([t.piece for t in result.tokens], result.ids)
    assert BERT_DIR.name in source


def test_byte_level_pieces_are_the_texts_utf8_bytes_exactly(gpt_tok):
    text = "我 λόγος 🙂 café, naïve"
    result = tokenize(gpt_tok, text)
    assert b"".join(t.raw_bytes for t in result.tokens) == text.encode("utf-8")


def test_pieces_that_split_a_character_are_grouped_under_it(gpt_tok):
    result = tokenize(gpt_tok, "我 🙂 and plain words")
    groups = {g.text: g for g in result.character_groups()}
    assert groups["我"].n_bytes == 3 and groups["🙂"].n_bytes == 4
    for character, group in groups.items():
        pieces = result.tokens[group.first : group.last + 1]
        assert len(pieces) >= 2 and b"".join(t.raw_bytes for t in pieces) == character.encode("utf-8")
    assert not tokenize(gpt_tok, SAMPLE).character_groups(), "ASCII never splits a character"


def test_wordpiece_never_splits_a_character(bert_tok):
    assert not tokenize(bert_tok, "我 λόγος 🙂 café").character_groups()
    assert all(t.raw_bytes is None for t in tokenize(bert_tok, "café").tokens)


def test_a_split_character_is_boxed_with_its_byte_count_and_each_pieces_byte(gpt_tok):
    result = tokenize(gpt_tok, "我")
    html = tokens_html(result)
    assert "我 · 3 bytes" in html
    assert [f"{t.id} · {t.raw_bytes.hex()}" in html for t in result.tokens] == [True] * 3
    assert html.count("token ") == result.n_tokens


def test_the_code_prints_each_characters_utf8_bytes():
    source = tokenization_code("我 ok", ["assets/models/shakespeare-gpt"])
    _, printed = run_panel(source, cwd=REPO)
    assert "我 = 3 UTF-8 bytes: e6 88 91" in printed and "o =" not in printed
