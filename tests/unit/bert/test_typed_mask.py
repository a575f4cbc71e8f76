"""A mask typed in the text ("The capital of France is [MASK].") is a blank whose answer nobody knows: BERT's
predictions there are transformers' fill-mask pipeline's, it adds nothing to the loss, and "the code" reproduces
both, for a tokenizer that writes its mask `[MASK]` and for one that writes it `<mask>`."""

import pytest
import torch
from transformers import AutoTokenizer, BertForMaskedLM, pipeline

from playground.bert import lesson, text
from playground.bert.masking import MASKED, TYPED
from playground.models import LoadedModel, load_model
from tests.helpers import assert_self_contained, run_panel
from tests.unit.bert.angle_mask_bert import MASK, save_angle_mask_bert

SENTENCE = "the cat {} on the mat."


@pytest.fixture(scope="module")
def loaded(bert, bert_dir):
    model, tokenizer = bert
    return LoadedModel(tokenizer, "a bert", "local", bert_dir, model=model, has_nsp=True)


@pytest.fixture(scope="module")
def angle(tmp_path_factory):
    """A BERT whose tokenizer writes its mask token `<mask>`, loaded as the page loads a local folder."""
    return load_model("bert", str(save_angle_mask_bert(tmp_path_factory.mktemp("angle-mask"))))


def pipeline_top(folder: str, masked_text: str, top_k: int) -> list[list[dict]]:
    fill = pipeline("fill-mask", model=folder, tokenizer=folder, device="cpu", dtype=torch.float32)
    found = fill(masked_text, top_k=top_k)
    return found if isinstance(found[0], list) else [found]  # one mask: a flat list


def assert_same_top(predictions, expected) -> None:
    for ours, theirs in zip(predictions, expected, strict=True):
        assert [p.token_id for p in ours.top] == [e["token"] for e in theirs]
        assert [p.probability for p in ours.top] == pytest.approx([e["score"] for e in theirs], rel=1e-4, abs=1e-7)


def test_a_typed_mask_is_predicted_as_the_pipeline_does_with_no_label_and_no_loss(loaded, bert_dir):
    reading = lesson.read(loaded, SENTENCE.format("[MASK]"), 64)
    position = reading.encoded.tokens.index("[MASK]")
    assert reading.blanks == [position] and position not in reading.maskable  # nothing to click: it is masked
    assert reading.messages == []
    filling = lesson.fill(loaded, reading, [], rule=False, seed=0, top_k=4)
    assert filling.messages == []  # not "nothing is masked"
    (blank,) = filling.result.predictions
    assert (blank.position, blank.action, blank.original_token, blank.loss, blank.right) == (
        position,
        TYPED,
        None,
        None,
        None,
    )
    assert filling.result.mlm_loss is None
    assert text.NO_LOSS in filling.picked
    assert_same_top(filling.result.predictions, pipeline_top(bert_dir, SENTENCE.format("[MASK]"), 4))


def test_a_clicked_word_beside_a_typed_mask_is_scored_alone(loaded, bert_dir):
    typed = "the [MASK] sat on the mat."
    reading = lesson.read(loaded, typed, 64)
    on = reading.encoded.tokens.index("on")
    filling = lesson.fill(loaded, reading, [on], rule=False, seed=0, top_k=3)
    assert [(p.position, p.action) for p in filling.result.predictions] == [(2, TYPED), (on, MASKED)]

    enc = reading.encoded
    seen = torch.tensor([enc.input_ids])
    seen[0, on] = loaded.tokenizer.mask_token_id
    labels = torch.full_like(seen, -100)  # transformers' "no label": the typed blank is not scored
    labels[0, on] = enc.input_ids[on]
    reference = BertForMaskedLM.from_pretrained(bert_dir, attn_implementation="eager", dtype=torch.float32).eval()
    with torch.no_grad():
        expected = reference(input_ids=seen, token_type_ids=torch.tensor([enc.token_type_ids]), labels=labels).loss
    assert filling.result.mlm_loss == pytest.approx(float(expected), rel=1e-5)
    assert_same_top(filling.result.predictions, pipeline_top(bert_dir, "the [MASK] sat [MASK] the mat.", 3))


@pytest.mark.parametrize("clicked", [False, True])
def test_the_code_reproduces_a_typed_mask_with_and_without_clicked_words(loaded, clicked):
    typed = "this is a test sentence. the cat [MASK] on the mat."
    reading = lesson.read(loaded, typed, 64)
    chosen = [reading.encoded.tokens.index("test")] if clicked else []
    filling = lesson.fill(loaded, reading, chosen, rule=False, seed=0, top_k=4)
    assert "typed_masks(ids, tokenizer.mask_token_id)" in filling.code
    assert_self_contained(filling.code)
    namespace, printed = run_panel(filling.code)
    assert namespace["new_ids"] == {d.position: d.new_id for d in filling.decisions}
    for p in filling.result.predictions:
        code_top = namespace["top_predictions"][p.position]
        assert [t for t, _ in code_top] == [q.token for q in p.top]
        assert [q for _, q in code_top] == pytest.approx([q.probability for q in p.top], rel=1e-5)
    if clicked:
        assert namespace["loss"].item() == pytest.approx(filling.result.mlm_loss, rel=1e-5)
    else:
        assert "loss" not in namespace and "masked-LM loss" not in printed  # no answer, so no loss
    assert filling.result.filled_text in printed


def test_the_rule_with_a_typed_mask_leaves_the_blank_alone_and_its_code_agrees(loaded):
    typed = "this is a test sentence. the cat [MASK] on the mat. a little model learned to fill in the blanks."
    reading = lesson.read(loaded, typed, 64)
    for seed in range(5):
        picked = lesson.rule_positions(loaded, reading, seed)
        assert picked and not set(picked) & set(reading.blanks)
    filling = lesson.fill(loaded, reading, lesson.rule_positions(loaded, reading, 3), rule=True, seed=3, top_k=3)
    namespace, _ = run_panel(filling.code)
    assert namespace["new_ids"] == {d.position: d.new_id for d in filling.decisions}
    assert namespace["loss"].item() == pytest.approx(filling.result.mlm_loss, rel=1e-5)


def test_a_mask_token_written_otherwise_is_read_in_either_spelling(angle):
    tok = angle.tokenizer
    assert tok.mask_token == MASK
    own = lesson.read(angle, SENTENCE.format(MASK), 64)
    lessons = lesson.read(angle, SENTENCE.format("[MASK]"), 64)
    assert own.encoded.input_ids == lessons.encoded.input_ids
    assert own.blanks == lessons.blanks == [own.encoded.tokens.index(MASK)]
    assert own.messages == []
    assert lessons.messages == [("info", text.respelled("[MASK]", MASK))]
    expected = pipeline_top(angle.path, SENTENCE.format(MASK), 5)
    for reading in (own, lessons):
        filling = lesson.fill(angle, reading, [], rule=False, seed=0, top_k=5)
        assert_same_top(filling.result.predictions, expected)
        assert filling.result.mlm_loss is None


def test_the_code_for_a_mask_written_otherwise_respells_the_lessons_mask(angle):
    reading = lesson.read(angle, "the [MASK] sat on the mat.", 64)
    mat = reading.encoded.tokens.index("mat")
    filling = lesson.fill(angle, reading, [mat], rule=False, seed=0, top_k=3)
    assert 'text = "the [MASK] sat on the mat."' in filling.code  # what the learner typed, as typed
    assert 'text.replace("[MASK]", tokenizer.mask_token)' in filling.code
    assert_self_contained(filling.code)
    namespace, _ = run_panel(filling.code)
    assert namespace["tokenizer"].convert_ids_to_tokens(namespace["ids"])[2] == MASK
    assert namespace["new_ids"] == {d.position: d.new_id for d in filling.decisions}
    assert namespace["loss"].item() == pytest.approx(filling.result.mlm_loss, rel=1e-5)
    plain = lesson.fill(angle, lesson.read(angle, "the <mask> sat.", 64), [], rule=False, seed=0, top_k=3)
    assert "text.replace" not in plain.code  # typed in the model's own spelling: nothing to respell


def test_a_tokenizer_from_a_folder_reads_its_own_mask_token(angle):
    """The folder is what a learner would pick: AutoTokenizer must give back the `<mask>` it was saved with."""
    again = AutoTokenizer.from_pretrained(angle.path)
    assert again.mask_token == MASK and again.convert_tokens_to_ids(MASK) == angle.tokenizer.mask_token_id
