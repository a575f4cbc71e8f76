"""Fixtures shared by the unit tests. `bert_dir`/`bert`: a test that asks for them runs on a tiny random BERT and,
once it is trained and shipped, on the bundled one too."""

import pytest
import torch
from transformers import AutoTokenizer, BertForPreTraining

from playground.models import BERT_DIR
from tests.unit.tiny_bert import save_tiny_bert

BUNDLED_BERT = (BERT_DIR / "config.json").exists()


@pytest.fixture(scope="module", params=["tiny", "bundled"] if BUNDLED_BERT else ["tiny"])
def bert_dir(request, tmp_path_factory):
    if request.param == "bundled":
        return str(BERT_DIR)
    return str(save_tiny_bert(tmp_path_factory.mktemp("tiny-bert")))


@pytest.fixture(scope="module")
def bert(bert_dir):
    """(model, tokenizer) loaded as the page loads them: eager attention, float32, eval mode."""
    tokenizer = AutoTokenizer.from_pretrained(bert_dir)
    model = BertForPreTraining.from_pretrained(bert_dir, attn_implementation="eager", dtype=torch.float32).eval()
    return model, tokenizer
