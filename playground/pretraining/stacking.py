"""Progressive stacking (Gong et al. 2019, "Efficient Training of BERT by Progressively Stacking"): grow a trained
BERT into a deeper one by copying its encoder layers on top of themselves.

A shallow BERT's attention patterns already resemble those of its deeper layers, so a deep model that starts as
two copies of a trained shallow one reaches a given loss sooner than one started from scratch. The training script
offers it as `--stack-to-layers`. On the bundled shakespeare-bert (4 -> 8 layers) the copy started well behind the
4-layer model and had not caught up after 13 minutes, so the bundled model still has 4 layers.
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
    trained = model.state_dict()
    state = dict(trained)
    prefix = "bert.encoder.layer."
    for name in grown.state_dict():
        if name.startswith(prefix):
            index, rest = name[len(prefix) :].split(".", 1)
            state[name] = trained[f"{prefix}{int(index) % old}.{rest}"]
    grown.load_state_dict(state)
    return grown.to(next(model.parameters()).dtype)
