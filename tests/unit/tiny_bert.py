"""A tiny random BertForPreTraining and a WordPiece tokenizer, built in seconds, for tests that must not download."""

from pathlib import Path

import torch
from tokenizers import BertWordPieceTokenizer
from transformers import BertConfig, BertForPreTraining, BertTokenizerFast

TEXT = (
    "ROMEO: But, soft! what light through yonder window breaks? It is the east, and Juliet is the sun. "
    "JULIET: O Romeo, Romeo! wherefore art thou Romeo? Deny thy father and refuse thy name. "
    "This is a test sentence. The cat sat on the mat. A little model learned to fill in the blanks. "
) * 4


def tiny_bert_tokenizer() -> BertTokenizerFast:
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator([TEXT], vocab_size=200, min_frequency=1)
    return BertTokenizerFast(tokenizer_object=wordpiece._tokenizer, model_max_length=64)


def tiny_bert(tokenizer, seed: int = 0, max_positions: int = 64) -> BertForPreTraining:
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=max_positions,
        attn_implementation="eager",
    )
    model = BertForPreTraining(config).eval()
    # A random model is almost uniform; larger output weights give peaked distributions worth comparing.
    with torch.no_grad():
        model.cls.predictions.transform.dense.weight.mul_(8)
        model.cls.seq_relationship.weight.mul_(8)
    return model


def save_tiny_bert(directory: Path, seed: int = 0) -> Path:
    tokenizer = tiny_bert_tokenizer()
    model = tiny_bert(tokenizer, seed)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def save_tiny_distilbert(directory: Path, seed: int = 0) -> Path:
    """DistilBERT: masked-LM head only (no next-sentence head, no segment embeddings)."""
    from transformers import DistilBertConfig, DistilBertForMaskedLM

    tokenizer = tiny_bert_tokenizer()
    torch.manual_seed(seed)
    config = DistilBertConfig(
        vocab_size=len(tokenizer),
        dim=32,
        n_layers=2,
        n_heads=4,
        hidden_dim=64,
        max_position_embeddings=64,
        attn_implementation="eager",
    )
    DistilBertForMaskedLM(config).eval().save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
