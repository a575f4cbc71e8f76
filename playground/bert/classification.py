"""The lesson's sequence-classification example: a pretrained BERT body with a brand-new classification head.

`BertForSequenceClassification.from_pretrained(path, num_labels=2)` loads every pretrained weight it can and creates
the rest, the `classifier` layer on top of the pooled [CLS] vector, from random numbers (seeded here, so the page
and "the code" agree). Its logits therefore mean nothing yet: the loss for label 1 is about -log(1/2) = 0.69 whatever
the sentence says. Fine-tuning on labelled sentences would train that head (and usually nudge the body) until the
logits separate the classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import AutoModelForSequenceClassification, BertForSequenceClassification

from playground.bert.fill_mask import accepts_token_type_ids

LESSON_SENTENCE = "This is a test sentence."
LESSON_LABEL = 1


@dataclass
class ClassificationResult:
    logits: list[float]
    probabilities: list[float]
    loss: float
    label: int
    fresh_weights: list[str]  # parameter names created from random numbers, not loaded
    class_name: str


def classifier_class(model_type: str):
    """BERT gets the class the lesson names; other encoders (DistilBERT) the Auto class that picks theirs."""
    return BertForSequenceClassification if model_type == "bert" else AutoModelForSequenceClassification


def load_classifier(model_ref: str, model_type: str, seed: int):
    """The pretrained body plus a classification head initialised from `torch.manual_seed(seed)`."""
    torch.manual_seed(seed)
    model, info = classifier_class(model_type).from_pretrained(
        model_ref, num_labels=2, output_loading_info=True, attn_implementation="eager", dtype=torch.float32
    )
    return model.eval(), sorted(info.get("missing_keys", []))


@torch.no_grad()
def classify(model, tokenizer, fresh_weights: list[str], text: str = LESSON_SENTENCE, label: int = LESSON_LABEL):
    """Loss and logits for one labelled sentence, as in the lesson: `model(**inputs, labels=labels)`."""
    inputs = tokenizer(text, return_tensors="pt", truncation=True, max_length=512)
    if "token_type_ids" in inputs and not accepts_token_type_ids(model):
        del inputs["token_type_ids"]
    outputs = model(**inputs, labels=torch.tensor([label]))
    logits = outputs.logits[0].float()
    return ClassificationResult(
        logits=logits.tolist(),
        probabilities=torch.softmax(logits, dim=-1).tolist(),
        loss=float(outputs.loss),
        label=label,
        fresh_weights=fresh_weights,
        class_name=type(model).__name__,
    )
