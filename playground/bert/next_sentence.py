"""Next-sentence prediction: does sentence B follow sentence A? BERT's second pretraining task (Devlin et al.
2018, 3.1).

The pair goes in as `[CLS] A [SEP] B [SEP]` with segment ids 0 for A and 1 for B. The pooled [CLS] vector feeds a
two-way classifier; index 0 means "B is the next sentence" (IsNext), index 1 "B is a random sentence", as in
transformers' `BertForPreTraining` / `BertForNextSentencePrediction`.

The example sentences are consecutive sentences from the held-out end of the corpus (see
scripts/make_bert_sentences.py), so a real pair and a random swap can be compared on text the model never trained on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from playground import ASSETS
from playground.bert.encode import EncodedText, encode

SENTENCES_FILE = ASSETS / "bert" / "sentences.txt"
IS_NEXT = 0
# The page's first pair: consecutive held-out sentences (lines 368-369 of the file) that the bundled BERT scores
# above every one of the page's first ten random Bs and above nine in ten of the file's sentences (see the tests).
DEFAULT_PAIR = ("Now, mistress, profit you in what you read?", "What, master, read you?")


@dataclass
class NextSentenceResult:
    is_next_probability: float
    logits: list[float]  # [IsNext, NotNext]
    encoded: EncodedText
    sentence_b_start: int  # index of B's first token, for bertviz's sentence filters
    attentions: tuple


@lru_cache(maxsize=1)
def corpus_sentences(path: Path = SENTENCES_FILE) -> tuple[str, ...]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return tuple(line for line in lines if line)


def real_pair(seed: int) -> tuple[str, str]:
    """Two consecutive sentences from the held-out text: B really follows A."""
    sentences = corpus_sentences()
    start = random.Random(seed).randrange(len(sentences) - 1)
    return sentences[start], sentences[start + 1]


def random_sentence(seed: int, avoid: str = "") -> str:
    """A sentence from somewhere else in the held-out text (never `avoid`, typically the real next one)."""
    sentences = corpus_sentences()
    rng = random.Random(seed)
    while True:
        sentence = sentences[rng.randrange(len(sentences))]
        if sentence != avoid:
            return sentence


@torch.no_grad()
def next_sentence(model, tokenizer, sentence_a: str, sentence_b: str, max_tokens: int = 512) -> NextSentenceResult:
    """IsNext probability from the model's NSP head (`seq_relationship_logits`). The model must have that head."""
    if not hasattr(model, "cls") or not hasattr(model.cls, "seq_relationship"):
        raise ValueError("This model has no next-sentence head (DistilBERT was trained without NSP).")
    encoded = encode(tokenizer, sentence_a, max_tokens, text_pair=sentence_b)
    outputs = model(
        input_ids=torch.tensor([encoded.input_ids]),
        token_type_ids=torch.tensor([encoded.token_type_ids]),
        attention_mask=torch.ones(1, len(encoded.input_ids), dtype=torch.long),
        output_attentions=True,
    )
    logits = outputs.seq_relationship_logits[0].float()
    probability = float(torch.softmax(logits, dim=-1)[IS_NEXT])
    sentence_b_start = encoded.token_type_ids.index(1) if 1 in encoded.token_type_ids else len(encoded.input_ids)
    return NextSentenceResult(probability, logits.tolist(), encoded, sentence_b_start, outputs.attentions)
