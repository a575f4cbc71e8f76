"""Next-sentence prediction and the lesson's classifier, against transformers' own task classes."""

import pytest
import torch
from transformers import AutoTokenizer, BertForNextSentencePrediction, BertForPreTraining, BertForSequenceClassification

from playground.bert.classification import LESSON_LABEL, LESSON_SENTENCE, classify, load_classifier
from playground.bert.code_panel import classification_code, next_sentence_code
from playground.bert.next_sentence import corpus_sentences, next_sentence, random_sentence, real_pair
from tests.helpers import assert_self_contained, run_panel
from tests.unit.tiny_bert import save_tiny_bert


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return str(save_tiny_bert(tmp_path_factory.mktemp("tiny-bert")))


@pytest.fixture(scope="module")
def loaded(model_dir):
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return BertForPreTraining.from_pretrained(model_dir, attn_implementation="eager").eval(), tokenizer


def test_is_next_probability_matches_bert_for_next_sentence_prediction(loaded, model_dir):
    model, tokenizer = loaded
    a, b = "romeo, romeo!", "wherefore art thou romeo?"
    result = next_sentence(model, tokenizer, a, b)
    reference = BertForNextSentencePrediction.from_pretrained(model_dir).eval()
    with torch.no_grad():
        logits = reference(**tokenizer(a, b, return_tensors="pt")).logits[0]
    assert result.logits == pytest.approx(logits.tolist(), rel=1e-5, abs=1e-6)
    assert result.is_next_probability == pytest.approx(float(logits.softmax(-1)[0]), rel=1e-5)
    tokens = result.encoded.tokens
    assert tokens[result.sentence_b_start - 1] == tokenizer.sep_token and tokens[result.sentence_b_start] == "wherefore"
    assert len(result.attentions) == model.config.num_hidden_layers


def test_the_code_gives_the_same_is_next_probability(loaded, model_dir):
    model, tokenizer = loaded
    a, b = real_pair(seed=1)
    result = next_sentence(model, tokenizer, a, b, max_tokens=64)
    source = next_sentence_code(model_dir, a, b, 64)
    assert_self_contained(source)
    namespace, _ = run_panel(source)
    assert namespace["is_next_probability"] == pytest.approx(result.is_next_probability, rel=1e-5)


def test_example_sentences_are_consecutive_held_out_lines_and_swaps_differ():
    sentences = corpus_sentences()
    assert len(sentences) >= 100
    a, b = real_pair(seed=4)
    assert sentences.index(b) == sentences.index(a) + 1
    for seed in range(50):
        assert random_sentence(seed, avoid=b) != b


def test_a_model_without_nsp_head_is_refused_clearly(loaded, model_dir):
    from transformers import BertForMaskedLM

    _, tokenizer = loaded
    mlm_only = BertForMaskedLM.from_pretrained(model_dir).eval()
    with pytest.raises(ValueError, match="no next-sentence head"):
        next_sentence(mlm_only, tokenizer, "a", "b")


def test_lesson_classifier_head_is_fresh_seeded_and_loss_is_cross_entropy(loaded, model_dir):
    _, tokenizer = loaded
    model, fresh = load_classifier(model_dir, "bert", seed=0)
    assert isinstance(model, BertForSequenceClassification)
    assert fresh == ["classifier.bias", "classifier.weight"]
    result = classify(model, tokenizer, fresh)
    logits = torch.tensor(result.logits)
    assert result.loss == pytest.approx(float(-logits.log_softmax(-1)[LESSON_LABEL]), rel=1e-5)
    assert sum(result.probabilities) == pytest.approx(1.0)
    again, _ = load_classifier(model_dir, "bert", seed=0)
    other, _ = load_classifier(model_dir, "bert", seed=1)
    assert classify(again, tokenizer, fresh).logits == pytest.approx(result.logits)
    assert classify(other, tokenizer, fresh).logits != pytest.approx(result.logits)
    # the body really is the pretrained one
    pretrained = BertForPreTraining.from_pretrained(model_dir)
    assert torch.equal(model.bert.embeddings.word_embeddings.weight, pretrained.bert.embeddings.word_embeddings.weight)


def test_the_classification_code_reproduces_loss_and_logits(loaded, model_dir):
    _, tokenizer = loaded
    model, fresh = load_classifier(model_dir, "bert", seed=3)
    result = classify(model, tokenizer, fresh)
    source = classification_code(model_dir, "bert", 3, LESSON_SENTENCE, LESSON_LABEL)
    assert_self_contained(source)
    namespace, _ = run_panel(source)
    assert namespace["loss"].item() == pytest.approx(result.loss, rel=1e-5)
    assert namespace["logits"][0].tolist() == pytest.approx(result.logits, rel=1e-5)


def test_distilbert_classifier_and_its_code(tmp_path):
    from tests.unit.tiny_bert import save_tiny_distilbert

    folder = str(save_tiny_distilbert(tmp_path / "distil"))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model, fresh = load_classifier(folder, "distilbert", seed=2)
    assert "classifier.weight" in fresh and "pre_classifier.weight" in fresh
    result = classify(model, tokenizer, fresh)
    source = classification_code(folder, "distilbert", 2, LESSON_SENTENCE, LESSON_LABEL)
    assert_self_contained(source)
    namespace, _ = run_panel(source)
    assert namespace["loss"].item() == pytest.approx(result.loss, rel=1e-5)
