"""The counting reference the BERT card compares with: guess a masked word from the words on either side."""

from playground.pretraining.fill_baseline import END, START, NeighbourCounts, words

TEXT = """the cat sat on the mat.
the dog sat on the log.
a cat lay on the mat.
the cat sat on the mat.
"""


def test_words_are_lower_cased_and_punctuation_stands_alone():
    assert words("Good morrow, Kate!") == ["good", "morrow", ",", "kate", "!"]


def test_the_word_seen_most_often_between_the_neighbours_wins():
    counts = NeighbourCounts(TEXT)
    assert counts.fill("the cat sat on the [MASK].", "[MASK]") == "mat"
    assert counts.fill("the [MASK] sat on the log.", "[MASK]") in {"cat", "dog"}
    # it sees one word each side only: 'cat _ on' was 'sat' twice and 'lay' once, whatever came before 'cat'
    assert counts.fill("a cat [MASK] on the mat.", "[MASK]") == "sat"
    assert counts.fill("[MASK] cat sat", "[MASK]") == "the"  # a line start counts as a neighbour too


def test_line_starts_and_ends_are_neighbours_but_never_guesses():
    counts = NeighbourCounts(TEXT)
    assert START not in counts.candidates and END not in counts.candidates
    assert "." not in counts.candidates


def test_candidates_can_be_limited_to_what_the_model_can_say():
    counts = NeighbourCounts(TEXT, candidates={"dog", "log"})
    assert counts.candidates == ["dog", "log"]
    assert counts.fill("the cat sat on the [MASK].", "[MASK]") in {"dog", "log"}


def test_accuracy_counts_the_right_guesses():
    counts = NeighbourCounts(TEXT)
    items = [("the cat sat on the [MASK].", "mat"), ("the cat sat on the [MASK].", "log")]
    assert counts.accuracy(items, "[MASK]") == 0.5
    assert counts.accuracy([], "[MASK]") == 0.0
