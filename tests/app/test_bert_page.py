"""The BERT page under Streamlit's AppTest: what a learner sees for each input, checked against transformers.

The page is opened through its URL (model=local&model_dir=…) on a tiny random BERT saved to a temporary folder, so
these tests do not depend on the bundled checkpoint being trained; one test also opens the bundled default.
"""

import functools
import json

import pytest
import torch
from streamlit.testing.v1 import AppTest
from transformers import AutoTokenizer, BertForMaskedLM, BertForNextSentencePrediction

from app import ROOT
from playground.bert.encode import encode
from playground.bert.masking import pretraining_mask
from playground.models import BERT_DIR
from tests.unit.tiny_bert import save_tiny_bert
from tests.unit.tiny_gpt import one_torch_thread  # noqa: F401 (autouse fixture)

PAGE = str(ROOT / "pages" / "bert.py")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return str(save_tiny_bert(tmp_path_factory.mktemp("tiny-bert")))


@pytest.fixture(scope="module")
def tokenizer(model_dir):
    return AutoTokenizer.from_pretrained(model_dir)


def open_page(model_dir, **query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params.update({"model": "local", "model_dir": model_dir, **{k: str(v) for k, v in query.items()}})
    return at.run()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def test_default_page_masks_the_default_words_and_shows_every_section(model_dir):
    at = open_page(model_dir)
    assert not at.exception
    assert not at.error
    assert list(at.dataframe[0].value["original"]) == ["thou", "thy", "thy"]
    headers = texts(at.header)
    for section in ("Mask tokens", "Next-sentence", "Attention", "Sequence classification"):
        assert section in headers
    assert "freshly initialised" in texts(at.warning)


def test_masked_positions_from_the_url_give_transformers_mlm_loss(model_dir, tokenizer):
    text = "the cat sat on the mat."
    at = open_page(model_dir, text=text, masked="2,5")
    assert not at.exception
    enc = encode(tokenizer, text, 64)
    labels = torch.full((1, len(enc.input_ids)), -100)
    seen = torch.tensor([enc.input_ids])
    for p in (2, 5):
        labels[0, p], seen[0, p] = enc.input_ids[p], tokenizer.mask_token_id
    with torch.no_grad():
        reference = BertForMaskedLM.from_pretrained(model_dir)(input_ids=seen, labels=labels).loss
    assert metric(at, "Masked-LM loss") == f"{float(reference):.3f}"
    table = at.dataframe[0].value
    assert list(table["position"]) == [2, 5]
    assert list(table["done to it"]) == ["[MASK]", "[MASK]"]
    assert at.query_params["masked"] == "2,5"


def test_mask_like_pretraining_applies_the_seeded_rule_and_reports_each_action(model_dir, tokenizer):
    text = "this is a test sentence. the cat sat on the mat. a little model learned to fill in the blanks."
    at = open_page(model_dir, text=text, seed=7)
    next(b for b in at.button if b.label.startswith("🎲 Mask like pretraining")).click().run()
    assert not at.exception
    enc = encode(tokenizer, text, 64)
    decisions = pretraining_mask(
        enc.input_ids,
        enc.special_tokens_mask,
        tokenizer.mask_token_id,
        len(tokenizer),
        7,
        never_random_ids=tokenizer.all_special_ids,
    )
    table = at.dataframe[0].value
    assert list(table["position"]) == [d.position for d in decisions]
    assert list(table["done to it"]) == [d.action for d in decisions]
    assert at.query_params["rule"] == "true"
    # clicking a token afterwards turns the choice back into the learner's own: all [MASK]
    at.pills[0].set_value([1]).run()
    assert list(at.dataframe[0].value["done to it"]) == ["[MASK]"]


def test_nothing_masked_gives_a_hint(model_dir):
    at = open_page(model_dir, masked="")
    assert not at.exception
    assert "Nothing is masked yet" in texts(at.info)


def test_empty_text_says_what_to_do(model_dir):
    at = open_page(model_dir)
    at.text_area[0].set_value("   ").run()
    assert not at.exception
    assert "Type a sentence above" in texts(at.info)
    # the sections that don't read this text stay: the quiz, next-sentence (whose pair feeds attention), the classifier
    headers = texts(at.header)
    for section in ("Guess the hidden word", "Next-sentence", "Attention", "Sequence classification"):
        assert section in headers
    assert metric(at, "P(IsNext)") and metric(at, "Loss")
    assert [r.value for r in at.radio if r.label == "Input"] == ["the sentence pair"]
    at.text_input(key="bert.a").set_value("").run()  # no pair either: nothing for attention to show
    assert "to see where BERT's heads look" in texts(at.info)


def test_every_token_masked_warns_but_still_predicts(model_dir):
    at = open_page(model_dir, text="the cat sat", masked="1,2,3")
    assert not at.exception
    assert "Every token is masked" in texts(at.warning)
    assert len(at.dataframe[0].value) == 3


def test_text_longer_than_the_model_is_cut_with_a_note(model_dir):
    at = open_page(model_dir, text="the cat sat on the mat. " * 60, masked="1")
    assert not at.exception
    assert "only the first 64" in texts(at.warning)
    assert "bertviz shows the first" not in texts(at.info)  # 64 tokens still fit bertviz's cap


def test_emoji_cjk_and_greek_become_unk_with_an_explanation(model_dir):
    at = open_page(model_dir, text="the cat 🙂 中文 αβγ sat", masked="1")
    assert not at.exception
    assert "[UNK]" in texts(at.info)
    assert metric(at, "Masked-LM loss")


def test_next_sentence_probability_matches_transformers_and_swap_changes_b(model_dir, tokenizer):
    at = open_page(model_dir, a="romeo, romeo!", b="wherefore art thou romeo?")
    with torch.no_grad():
        logits = BertForNextSentencePrediction.from_pretrained(model_dir)(
            **tokenizer("romeo, romeo!", "wherefore art thou romeo?", return_tensors="pt")
        ).logits[0]
    assert metric(at, "P(IsNext)") == f"{float(logits.softmax(-1)[0]):.1%}"
    next(b for b in at.button if b.label.startswith("🔀")).click().run()
    assert not at.exception
    assert at.text_input(key="bert.b").value != "wherefore art thou romeo?"


def test_classifier_loss_is_the_lesson_cross_entropy(model_dir):
    at = open_page(model_dir, head_seed=0)
    loss = float(metric(at, "Loss"))
    logits = torch.tensor([float(x) for x in metric(at, "Logits").strip("[]").split(",")])
    assert loss == pytest.approx(float(-logits.log_softmax(-1)[1]), abs=2e-3)


@pytest.mark.skipif(not (BERT_DIR / "config.json").exists(), reason="bundled BERT not trained yet")
def test_bundled_model_is_the_default_and_fills_masks(tmp_path):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params.update({"masked": "2"})
    at.run()
    assert not at.exception and not at.error
    assert "bundled" in texts(at.caption)
    assert metric(at, "Masked-LM loss")


def test_distilbert_says_it_has_no_nsp_head_and_still_classifies(tmp_path):
    from tests.unit.tiny_bert import save_tiny_distilbert

    folder = str(save_tiny_distilbert(tmp_path / "distil"))
    at = open_page(folder, masked="2")
    assert not at.exception and not at.error
    assert "has no next-sentence head" in texts(at.info)
    assert not any(m.label.startswith("P(IsNext)") for m in at.metric)
    assert metric(at, "Masked-LM loss") and metric(at, "Loss")
    assert "pre_classifier" in texts(at.warning)


@pytest.mark.skipif(not (BERT_DIR / "config.json").exists(), reason="bundled BERT not trained yet")
def test_long_input_caps_bertviz_and_the_heatmap_shows_every_token():
    text = "Deny thy father and refuse thy name. " * 12  # > 64 tokens, < the bundled model's 128
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params.update({"text": text, "masked": "3"})
    at.run()
    assert not at.exception
    assert "bertviz shows the first 64" in texts(at.info)
    at.segmented_control(key="bert.view").set_value("heatmap").run()
    assert not at.exception
    heatmap = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert heatmap["type"] == "heatmap"
    assert len(heatmap["y"]) > 64  # every token, not bertviz's first 64


# ---- guess the hidden word ---------------------------------------------------------------------------------------
def quiz_guess(at, guess: str) -> AppTest:
    at.text_input(key="bert.quiz_guess").input(guess)
    return next(b for b in at.button if b.label == "Reveal").click().run()


@functools.cache
def reference_mlm(model_dir) -> BertForMaskedLM:
    return BertForMaskedLM.from_pretrained(model_dir).eval()


def bert_first_guess(model_dir, tokenizer, masked_line: str) -> str:
    """The reference: transformers' own masked-LM head on the masked line, argmax at the mask."""
    enc = tokenizer(masked_line, return_tensors="pt")
    with torch.no_grad():
        logits = reference_mlm(model_dir)(**enc).logits
    position = enc["input_ids"][0].tolist().index(tokenizer.mask_token_id)
    return tokenizer.convert_ids_to_tokens(int(logits[0, position].argmax()))


def test_quiz_hides_a_word_of_a_held_out_line_and_scores_you_and_bert(model_dir, tokenizer):
    from playground.bert.quiz import quiz_line

    at = open_page(model_dir)
    line = quiz_line(tokenizer, 0, 64)
    assert "2 · Guess the hidden word" in texts(at.header)
    assert f"**Line 1:** {line.masked.replace(tokenizer.mask_token, ' ▁▁▁▁▁ ')}" in texts(at.markdown)
    assert not any(m.label == "You" for m in at.metric)  # nothing is scored before the first reveal
    at = quiz_guess(at, f"  {line.answer.upper()} ")
    assert not at.exception
    bert = bert_first_guess(model_dir, tokenizer, line.masked)
    verdict = texts(at.success) + texts(at.info)
    assert f"The hidden word is **{line.answer}**. BERT's first guess, **{bert}**, is" in verdict
    assert f"yours, **{line.answer.upper()}**, is right" in verdict
    assert metric(at, "You") == "1 of 1"
    assert metric(at, "BERT (first guess)") == ("1 of 1" if bert == line.answer else "0 of 1")


def test_a_line_counts_once_and_next_line_moves_on_in_the_url(model_dir, tokenizer):
    from playground.bert.quiz import quiz_line

    at = quiz_guess(open_page(model_dir), "nothing-like-it")
    at = quiz_guess(at, quiz_line(tokenizer, 0, 64).answer)  # a second try on the same line is not counted
    assert metric(at, "You") == "0 of 1"
    assert "yours, **nothing-like-it**, is wrong" in texts(at.success) + texts(at.info)  # the guess that counted
    assert "Only the guess made before the reveal counts" in texts(at.caption)
    next(b for b in at.button if b.label == "Next line ▶").click().run()
    assert at.query_params["quiz"] == "1"
    assert at.text_input(key="bert.quiz_guess").value == ""
    assert "**Line 2:**" in texts(at.markdown)
    at = quiz_guess(at, quiz_line(tokenizer, 1, 64).answer)
    assert metric(at, "You") == "1 of 2"


def test_a_shared_link_opens_the_same_quiz_line(model_dir, tokenizer):
    from playground.bert.quiz import quiz_line

    at = open_page(model_dir, quiz=7)
    assert f"**Line 8:** {quiz_line(tokenizer, 7, 64).masked.replace(tokenizer.mask_token, ' ▁▁▁▁▁ ')}" in texts(
        at.markdown
    )


def test_scoring_bert_on_many_lines_counts_its_first_guesses_against_transformers(model_dir, tokenizer):
    from playground.bert.quiz import quiz_line

    at = open_page(model_dir, quiz_n=40)
    assert not any(m.label == "First guess right" for m in at.metric)  # scored only when asked: bert-base is slow
    next(b for b in at.button if b.label == "Score BERT on 40 lines").click().run()
    lines = [quiz_line(tokenizer, i, 64) for i in range(40)]
    right = sum(bert_first_guess(model_dir, tokenizer, q.masked) == q.answer for q in lines)
    assert metric(at, "First guess right") == f"{right / 40:.0%}"
    table = at.dataframe[-1].value
    assert list(table["word"]) == [q.answer for q in lines]


def test_link_values_the_widgets_cannot_take_give_warnings_and_defaults(model_dir):
    at = open_page(model_dir, k=50, quiz=-3, quiz_n=1000)
    assert not at.exception
    warnings = texts(at.warning)
    for name, default in (("k=50", "`5`"), ("quiz=-3", "`0`"), ("quiz_n=1000", "`100`")):
        assert f"The link's `{name}` could not be used" in warnings and default in warnings
    assert "**Line 1:**" in texts(at.markdown)


def test_revealing_without_a_guess_says_it_counts_as_a_miss(model_dir):
    at = next(b for b in open_page(model_dir).button if b.label == "Reveal").click().run()
    assert not at.exception
    assert "you made no guess, which counts as a miss" in texts(at.success) + texts(at.info)
    assert metric(at, "You") == "0 of 1"


def test_a_link_past_the_last_line_wraps_round_to_the_first(model_dir, tokenizer):
    from playground.bert.quiz import quiz_lines

    n = len(quiz_lines(tokenizer, 64))
    at = open_page(model_dir, quiz=n + 2)
    assert f"**Line 3:** {quiz_lines(tokenizer, 64)[2].masked.replace(tokenizer.mask_token, ' ▁▁▁▁▁ ')}" in texts(
        at.markdown
    )


# ---- a mask typed in the text --------------------------------------------------------------------------------------
def filled(at) -> str:
    return next(h.value for h in at.html if "Filled in by the top predictions" in h.value)


def pipeline_top1(folder: str, masked_text: str) -> list[str]:
    """transformers' fill-mask pipeline: its first guess at every mask in the text, as a token."""
    from transformers import pipeline

    fill = pipeline("fill-mask", model=folder, tokenizer=folder, device="cpu", dtype=torch.float32)
    found = fill(masked_text, top_k=1)
    return [guesses[0]["token_str"] for guesses in (found if isinstance(found[0], list) else [found])]


def bundled_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params.update({k: str(v) for k, v in query.items()})
    return at.run()


@pytest.mark.skipif(not (BERT_DIR / "config.json").exists(), reason="bundled BERT not trained yet")
def test_a_typed_mask_is_a_blank_with_predictions_and_no_loss_beside_clicked_words():
    at = bundled_page()
    typed = "The capital of France is [MASK]."
    at.text_area[0].set_value(typed).run()
    assert not at.exception and not at.error
    assert "Nothing is masked yet" not in texts(at.info)
    table = at.dataframe[0].value
    assert list(table["done to it"]) == ["typed in the text"] and list(table["original"]) == ["(unknown)"]
    assert list(table["top guess"]) == pipeline_top1(str(BERT_DIR), typed)
    assert not any(m.label.startswith("Masked-LM loss") for m in at.metric)  # no label, so no loss
    assert "No loss: every blank here was typed" in texts(at.caption)
    assert "nobody knows" in filled(at) and "✓" not in filled(at) and "✗" not in filled(at)
    assert at.query_params["text"] == typed and at.query_params["masked"] == ""

    tokenizer = AutoTokenizer.from_pretrained(BERT_DIR)
    enc = encode(tokenizer, typed, 128)
    france, blank = enc.tokens.index("france"), enc.tokens.index("[MASK]")
    assert "[MASK]" not in at.pills[0].options and "france" in at.pills[0].options  # the blank is not a word to click
    at.pills[0].set_value([france]).run()  # clicking a known word keeps working beside the typed blank
    assert not at.exception
    assert list(at.dataframe[0].value["position"]) == [france, blank]
    labels, seen = torch.full((1, len(enc.input_ids)), -100), torch.tensor([enc.input_ids])
    labels[0, france], seen[0, france] = enc.input_ids[france], tokenizer.mask_token_id
    with torch.no_grad():
        reference = BertForMaskedLM.from_pretrained(BERT_DIR, dtype=torch.float32)(input_ids=seen, labels=labels).loss
    assert metric(at, "Masked-LM loss") == f"{float(reference):.3f}"  # the clicked word alone is scored
    assert at.query_params["masked"] == str(france)

    shared = bundled_page(**dict(at.query_params))  # the link opens the same state
    assert not shared.exception
    assert list(shared.dataframe[0].value["position"]) == [france, blank]
    assert metric(shared, "Masked-LM loss") == f"{float(reference):.3f}"


def test_a_typed_mask_works_for_a_model_whose_mask_token_is_written_otherwise(tmp_path):
    from tests.unit.bert.angle_mask_bert import MASK, save_angle_mask_bert

    folder = str(save_angle_mask_bert(tmp_path / "angle"))
    own = f"the cat {MASK} on the mat."
    at = open_page(folder, text=own)  # picked as a local folder through the link, as the model picker does
    assert not at.exception and not at.error
    assert f"`{tmp_path / 'angle'}` (local)" in texts(at.caption)
    expected = pipeline_top1(folder, own)
    table = at.dataframe[0].value
    assert list(table["done to it"]) == ["typed in the text"] and list(table["top guess"]) == expected
    assert not any(m.label.startswith("Masked-LM loss") for m in at.metric)

    at.text_area[0].set_value("the cat [MASK] on the mat.").run()  # the lesson's spelling is read as the model's
    assert not at.exception
    assert f"each `[MASK]` you typed is read as `{MASK}`" in texts(at.info)
    assert list(at.dataframe[0].value["top guess"]) == expected
    assert at.query_params["text"] == "the cat [MASK] on the mat."


@pytest.mark.skipif(not (BERT_DIR / "config.json").exists(), reason="bundled BERT not trained yet")
def test_the_defaults_show_right_guesses_and_one_click_shows_a_failure():
    at = bundled_page()
    assert not at.exception
    assert list(at.dataframe[0].value["original"]) == ["thou", "thy", "thy"]
    assert filled(at).count("✓</b>") == 3 and "✗" not in filled(at)  # three guesses, all marked right
    assert "1 MB of Shakespeare" in texts(at.markdown)
    default_pair = float(metric(at, "P(IsNext)").rstrip("%"))
    next(b for b in at.button if b.label.startswith("🔀")).click().run()
    assert float(metric(at, "P(IsNext)").rstrip("%")) < default_pair  # the page's own random B scores lower

    next(b for b in at.button if b.label.startswith("🌍 Try a modern sentence")).click().run()
    assert not at.exception
    assert at.text_area[0].value == "The capital of France is Paris."
    assert list(at.dataframe[0].value["original"]) == ["paris"]
    assert "✗" in filled(at) and "(paris)" in filled(at)  # wrong, in red, with the hidden word beside it
    assert at.query_params["text"] == "The capital of France is Paris."
    assert at.query_params["masked"] == str(list(at.dataframe[0].value["position"])[0])


def test_a_language_the_tokenizer_cannot_read_names_a_model_that_can(model_dir):
    at = open_page(model_dir, text="Γειά σου κόσμε")
    assert not at.exception
    said = texts(at.info)
    assert "Every token (3) became `[UNK]`" in said and "bert-base-multilingual-cased" in said
