"""What the first section draws: a right guess, a wrong guess and a typed mask's guess look different, green means
the true word and nothing else, and the probability axis fits the bars."""

import pytest

from playground.bert import figures
from playground.bert.fill_mask import FillMaskResult, PositionPrediction, Prediction
from playground.bert.masking import MASKED, TYPED


def guess(position, original, guesses, action=MASKED):
    top = [Prediction(i, token, p) for i, (token, p) in enumerate(guesses)]
    known = original is not None
    p_original = next((p for t, p in guesses if t == original), 0.001) if known else None
    return PositionPrediction(position, original, "[MASK]", action, top, p_original, 1.0 if known else None)


RIGHT = guess(1, "thou", [("thou", 0.9), ("not", 0.05)])
WRONG = guess(3, "father", [("love", 0.05), ("father", 0.04), ("tongue", 0.03)])
BLANK = guess(5, None, [("dead", 0.04), ("gone", 0.03)], action=TYPED)


def result(*predictions, tokens=("[CLS]", "art", "thou", "thy", "father", "is", "[SEP]")) -> FillMaskResult:
    filled = list(tokens)
    for p in predictions:
        filled[p.position] = p.top[0].token
    return FillMaskResult(list(tokens), list(predictions), None, filled, " ".join(filled[1:-1]), ())


def test_right_wrong_and_typed_guesses_each_have_their_own_look_and_a_legend():
    html = figures.filled_html(result(RIGHT, WRONG, BLANK), {"[CLS]", "[SEP]"})
    assert f'color:{figures.RIGHT}">thou✓</b>' in html
    assert f'color:{figures.WRONG}">love✗</b>' in html and "(father)" in html  # the hidden word beside the miss
    assert f'color:{figures.TYPED_GUESS};text-decoration:underline dotted">dead</b>' in html
    assert "BERT's guess is the hidden word" in html and "it is not" in html and "nobody knows" in html
    assert "[CLS]" not in html and "[SEP]" not in html


def test_the_legend_names_only_the_kinds_shown():
    only_right = figures.filled_html(result(RIGHT), set())
    assert "BERT's guess is the hidden word" in only_right
    assert "it is not" not in only_right and "nobody knows" not in only_right
    only_typed = figures.filled_html(result(BLANK), set())
    assert "nobody knows" in only_typed and "hidden word" not in only_typed


def test_only_the_true_words_bar_is_green_and_a_typed_mask_has_none():
    bars = figures.top_k_bars(WRONG).data[0]
    assert dict(zip(bars.y, bars.marker.color, strict=True)) == {
        "tongue ": figures.OTHER,
        "father ": figures.RIGHT,
        "love ": figures.OTHER,
    }
    typed = figures.top_k_bars(BLANK)
    assert figures.RIGHT not in typed.data[0].marker.color
    assert "answer unknown" in typed.layout.title.text


@pytest.mark.parametrize("prediction", [RIGHT, WRONG, BLANK])
def test_the_probability_axis_fits_the_longest_bar(prediction):
    axis = figures.top_k_bars(prediction).layout.xaxis
    longest = max(p.probability for p in prediction.top)
    low, high = axis.range
    assert low == 0 and longest < high <= min(1.0, 1.5 * longest)  # a 5% bar fills most of the chart, not 1/16
    assert axis.tickformat == (".0%" if high >= 0.05 else ".1%")
