"""The BERT page under Streamlit's AppTest: what a learner sees for each input, checked against transformers.

The page is opened through its URL (model=local&model_dir=…) on a tiny random BERT saved to a temporary folder, so
these tests do not depend on the bundled checkpoint being trained; one test also opens the bundled default.
"""

import json

import pytest
import torch
from streamlit.testing.v1 import AppTest
from transformers import AutoTokenizer, BertForMaskedLM, BertForNextSentencePrediction

from app import ROOT
from playground.bert_input import encode
from playground.bert_masking import pretraining_mask
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


def test_default_page_masks_two_words_and_shows_every_section(model_dir):
    at = open_page(model_dir)
    assert not at.exception
    assert not at.error
    assert list(at.dataframe[0].value["original"]) == ["thou", "father"]
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
    decisions = pretraining_mask(enc.input_ids, enc.special_tokens_mask, tokenizer.mask_token_id, len(tokenizer), 7,
                                 never_random_ids=tokenizer.all_special_ids)
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
            **tokenizer("romeo, romeo!", "wherefore art thou romeo?", return_tensors="pt")).logits[0]
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
