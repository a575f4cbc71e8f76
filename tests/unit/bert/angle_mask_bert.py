"""A tiny random BertForMaskedLM whose tokenizer writes its mask token `<mask>`, as RoBERTa-like vocabularies do:
the page must read a typed mask in the model's own spelling, whatever it is, and in the lesson's `[MASK]`."""

from pathlib import Path

import torch
from tokenizers import BertWordPieceTokenizer
from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

from tests.unit.tiny_bert import TEXT

MASK = "<mask>"


def save_angle_mask_bert(directory: Path, seed: int = 0) -> Path:
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", MASK]
    wordpiece.train_from_iterator([TEXT], vocab_size=200, min_frequency=1, special_tokens=specials)
    tokenizer = BertTokenizerFast(tokenizer_object=wordpiece._tokenizer, model_max_length=64, mask_token=MASK)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        attn_implementation="eager",
    )
    model = BertForMaskedLM(config).eval()
    with torch.no_grad():  # peaked distributions, so a wrong ranking would show
        model.cls.predictions.transform.dense.weight.mul_(8)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
