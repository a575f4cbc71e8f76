"""The repetition measure the page's default decoding is chosen by, checked on texts whose answer is known by hand."""

import pytest

from playground.generation.repetition import repeated_ngram_share, words

GREEDY_FROM_ROMEO = (  # what greedy decoding wrote from "ROMEO:" on the bundled model before sampling was the default
    "ROMEO:\nO, thou art thou art a man,\nAnd, thou art a man, thou art,\nAnd, thou art a man, thou art,\n"
    "And thou art a man, thou art, thou art,\nAnd thou"
)


def test_words_are_lower_case_letters_and_keep_their_inner_apostrophes():
    assert words("O'er the HILL, thou'rt 3 times--gone!\n'Tis") == [
        "o'er",
        "the",
        "hill",
        "thou'rt",
        "times",
        "gone",
        "tis",
    ]


def test_every_occurrence_of_a_repeated_four_gram_counts():
    # five 4-grams: "a b c d" twice (repeated), "b c d a", "c d a b", "d a b c" once each
    assert repeated_ngram_share("a b c d a b c d") == pytest.approx(2 / 5)


def test_case_punctuation_and_line_breaks_do_not_hide_a_repeat():
    assert repeated_ngram_share("Thou art a man,\nthou ART a man!") == repeated_ngram_share("a b c d a b c d")


def test_a_text_with_no_run_of_four_words_twice_repeats_nothing():
    assert repeated_ngram_share("the quick brown fox jumps over the lazy dog and the quick red fox") == 0.0
    # "the quick" comes back, but never four words in a row
    assert repeated_ngram_share("to be or not to be") == 0.0


def test_one_phrase_over_and_over_repeats_everything():
    assert repeated_ngram_share("so it goes " * 10) == 1.0


def test_fewer_words_than_n_have_no_n_grams_and_repeat_nothing():
    assert repeated_ngram_share("") == 0.0
    assert repeated_ngram_share("thou art thou") == 0.0


def test_n_sets_the_run_length():
    text = "a b a b c"  # bigrams: ab, ba, ab, bc -> "a b" twice of four; trigrams: aba, bab, abc -> none twice
    assert repeated_ngram_share(text, n=2) == pytest.approx(2 / 4)
    assert repeated_ngram_share(text, n=3) == 0.0
    with pytest.raises(ValueError, match="at least one word"):
        repeated_ngram_share(text, n=0)


def test_greedys_loop_repeats_most_of_its_four_grams():
    # 33 words, 30 4-grams; 22 of them ("thou art a man", "and thou art a", ...) occur more than once
    assert repeated_ngram_share(GREEDY_FROM_ROMEO) == pytest.approx(22 / 30)
