"""What BERT predicts at each masked position: top-k tokens with probabilities, the filled-in sentence and the MLM loss.

One forward pass over the corrupted ids gives the masked-LM logits at every position. At each picked position the
softmax over the vocabulary is BERT's guess for the original token, exactly what transformers' `fill-mask` pipeline
reports. The masked-LM loss is the mean cross-entropy of the *original* tokens at the picked positions (the loss BERT
is pretrained on); positions that were not picked do not count, and neither does a mask the learner typed: it has no
original token to score.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from playground.bert.masking import MaskDecision, apply_decisions


@dataclass
class Prediction:
    token_id: int
    token: str  # WordPiece string, e.g. "##ing"
    probability: float


@dataclass
class PositionPrediction:
    position: int
    original_token: str | None  # None at a typed mask: nobody knows the answer
    seen_token: str  # what the model was shown here: [MASK], a random token or the original
    action: str
    top: list[Prediction]
    original_probability: float | None  # p(original token): the number the loss is made of
    loss: float | None  # -log p(original token)

    @property
    def right(self) -> bool | None:
        """Whether the top guess is the original token; None where there is none to compare with."""
        return None if self.original_token is None else self.top[0].token == self.original_token


@dataclass
class FillMaskResult:
    seen_tokens: list[str]  # the corrupted input, as tokens
    predictions: list[PositionPrediction]
    mlm_loss: float | None  # mean over the picked positions with an answer; None when there are none
    filled_tokens: list[str]  # the input with each picked position replaced by its top prediction
    filled_text: str
    attentions: tuple  # one (1, heads, seq, seq) tensor per layer, for the attention views


def accepts_token_type_ids(model) -> bool:
    """BERT has segment embeddings; DistilBERT dropped them and its forward rejects the argument."""
    return "token_type_ids" in inspect.signature(model.forward).parameters


def masked_lm_logits(outputs) -> torch.Tensor:
    """BertForPreTraining calls them `prediction_logits`; *ForMaskedLM calls them `logits`."""
    logits = getattr(outputs, "prediction_logits", None)
    return logits if logits is not None else outputs.logits


@torch.no_grad()
def fill_mask(
    model,
    tokenizer,
    input_ids: Sequence[int],
    decisions: Sequence[MaskDecision],
    *,
    token_type_ids: Sequence[int] | None = None,
    top_k: int = 5,
) -> FillMaskResult:
    """Run the model once on the corrupted input and read off predictions at every decision's position."""
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}.")
    seen_ids = apply_decisions(input_ids, decisions)
    inputs = {"input_ids": torch.tensor([seen_ids]), "attention_mask": torch.ones(1, len(seen_ids), dtype=torch.long)}
    if token_type_ids is not None and accepts_token_type_ids(model):
        inputs["token_type_ids"] = torch.tensor([list(token_type_ids)])
    outputs = model(**inputs, output_attentions=True)
    log_probs = F.log_softmax(masked_lm_logits(outputs)[0].float(), dim=-1)

    original_tokens = tokenizer.convert_ids_to_tokens(list(input_ids))
    seen_tokens = tokenizer.convert_ids_to_tokens(seen_ids)
    filled_ids = list(seen_ids)
    predictions = []
    k = min(top_k, log_probs.shape[-1])
    for decision in decisions:
        row = log_probs[decision.position]
        top_log_probs, top_ids = row.topk(k)
        top = [
            Prediction(int(i), tokenizer.convert_ids_to_tokens(int(i)), float(lp.exp()))
            for lp, i in zip(top_log_probs, top_ids, strict=True)
        ]
        known = decision.original_id is not None
        original_log_prob = float(row[decision.original_id]) if known else None
        predictions.append(
            PositionPrediction(
                position=decision.position,
                original_token=original_tokens[decision.position] if known else None,
                seen_token=seen_tokens[decision.position],
                action=decision.action,
                top=top,
                original_probability=float(torch.tensor(original_log_prob).exp()) if known else None,
                loss=-original_log_prob if known else None,
            )
        )
        filled_ids[decision.position] = top[0].token_id
    losses = [p.loss for p in predictions if p.loss is not None]
    mlm_loss = sum(losses) / len(losses) if losses else None
    return FillMaskResult(
        seen_tokens=seen_tokens,
        predictions=predictions,
        mlm_loss=mlm_loss,
        filled_tokens=tokenizer.convert_ids_to_tokens(filled_ids),
        filled_text=tokenizer.decode(filled_ids, skip_special_tokens=True),
        attentions=outputs.attentions,
    )
