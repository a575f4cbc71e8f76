"""Progressive stacking (Gong et al. 2019, "Efficient Training of BERT by Progressively Stacking"): grow a trained
BERT into a deeper one by copying its encoder layers on top of themselves.

A shallow BERT's attention patterns already resemble those of its deeper layers, so a deep model that starts as
two copies of a trained shallow one reaches a given loss sooner than one started from scratch. This is how the
bundled shakespeare-bert grew from 4 to 8 layers without throwing away what its first 200 minutes taught it.
"""
from __future__ import annotations

import copy


def stack_layers(model, num_layers: int):
    """A copy of `model` (any BertPreTrainedModel) with `num_layers` encoder layers: the old layers repeated in
    order (4 -> 8 gives layers 0 1 2 3 0 1 2 3). Embeddings and heads are copied unchanged."""
    old = len(model.bert.encoder.layer)
    if num_layers < old or num_layers % old:
        raise ValueError(f"can only stack {old} layers into a multiple of {old}, not {num_layers}")
    config = copy.deepcopy(model.config)
    config.num_hidden_layers = num_layers
    grown = type(model)(config)
    state = model.state_dict()
    prefix = "bert.encoder.layer."
    for name in grown.state_dict():
        if name.startswith(prefix):
            index, rest = name[len(prefix):].split(".", 1)
            state[name] = model.state_dict()[f"{prefix}{int(index) % old}.{rest}"]
    grown.load_state_dict(state)
    return grown.to(next(model.parameters()).dtype)

