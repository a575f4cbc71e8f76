"""The Inside GPT page's words: what each step of the pass does, and why."""

from __future__ import annotations

import re

# A token is any piece of text the vocabulary holds ("**", "](", "`", "$"): in a sentence it must stay text.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def as_text(piece: str) -> str:
    """A token's text for a markdown sentence, every markdown character escaped."""
    return _MARKUP.sub(r"\\\1", piece)


INTRO = (
    "One forward pass of a real GPT-2-family model, opened step by step. Type a prompt, pick a layer, a head and a "
    "token to follow, and every tensor the model computes on the way to its next-token guess is drawn with its "
    "shape. The numbers are exact: the page recomputes the pass by hand from the model's weights, and the tests "
    "check every tensor against the model's own forward pass. Dimensions: **T** tokens, **d** the width, **h** heads, "
    "**d/h** a head's width, **V** the vocabulary."
)

PROMPT_HELP = "Up to {limit} tokens: the pass is shown for every one of them."
FOLLOW_HELP = "The token whose row is outlined in every tensor, and whose next-token distribution ends the page."
KEY_HELP = "The key (column) of the one score written out as a dot product below."
COLUMNS = "Hover a cell for its value. Wide tensors are drawn one pixel-thin column per number."

WORDS = {
    "ids": "The tokenizer cuts the prompt into tokens and numbers each one by its row in the vocabulary. From here "
    "on the model sees only these integers.",
    "embed": "Each id picks its row of the token embedding **wte**, a learned vector of d numbers. Attention alone "
    "can't tell order, so a second learned table, **wpe**, adds a vector per position. Their sum starts the "
    "**residual stream**: the (T, d) tensor every block reads from and adds to.",
    "ln1": "LayerNorm rescales each token's vector to mean 0 and variance 1, then applies a learned scale and "
    "shift. GPT-2 normalises *before* each sub-layer (pre-LN), which keeps the residual stream itself untouched.",
    "qkv": "One matrix makes three vectors per token: a **query** (what this token looks for), a **key** (what it "
    "offers) and a **value** (what it passes on). Each is cut into h slices of d/h: the **heads**, independent "
    "attentions that run in parallel, each free to track a different relation.",
    "scores": "Every query is compared with every key by a dot product: a high score means the key is what the "
    "query looks for. Dividing by √(d/h) keeps the scores' spread near 1 whatever the head width; without it, wide "
    "heads would make softmax pick a single key and stop learning.",
    "mask": "The mask is **causal**: a token may look at itself and the tokens before it, never after. GPT is "
    "trained to predict each next token, so seeing the future would be cheating; the mask sets those scores to "
    "−∞ (the empty cells), which softmax turns into exactly 0.",
    "softmax": "Softmax turns each row of scores into weights that are positive and sum to 1: how much of each "
    "earlier token this token takes in.",
    "weighted": "Each token's output from this head is the weighted average of the value vectors it attends to.",
    "merge": "The h heads' outputs are set side by side again, back to width d, and one more matrix (the output "
    "projection) mixes what the heads found.",
    "resid1": "The attention's output is **added** to the residual stream, not put in its place: each block only "
    "writes a correction, and the token's own vector flows through unchanged. That is what lets GPT stack many "
    "blocks and still train.",
    "ln2": "A second LayerNorm, before the MLP.",
    "mlp": "The MLP works on each token alone: up to 4d numbers, a GELU (a smooth ReLU), and back down to d. "
    "Attention moves information between tokens; the MLP transforms it within one, and holds about two thirds "
    "of a block's parameters.",
    "resid2": "The MLP's output is added to the residual stream too. This is what the next block reads.",
    "ln_f": "After the last block, a final LayerNorm.",
    "logits": "The output head multiplies by the token embedding again (its transpose: the weights are **tied**), "
    "giving one score per vocabulary token at every position: how well the final vector matches each token's "
    "embedding. Shown: the columns of the tokens most likely after the followed token.",
    "probs": "Divide the logits by the temperature and apply softmax: the model's probability for every token of "
    "the vocabulary coming next. Sampling draws from it; greedy decoding takes the top bar.",
}

CELL_INTRO = (
    "The cell outlined in the scores above (the followed token's query against the key picked in the controls), "
    "written out as the dot product of a query row and a key row, every number from the Q and K drawn above."
)
ABOUT_CODE = "Runnable PyTorch that recomputes this pass from the model's state_dict, without calling its forward."


def too_long(n_tokens: int, limit: int) -> str:
    return (
        f"The prompt is {n_tokens} tokens; this page opens at most {limit}, so the pass below reads its first "
        f"{limit}. Shorten the prompt to see all of it."
    )


EMPTY = "Type a prompt: the pass needs at least one token to run."


def next_token(label: str, top: dict, last: bool) -> str:
    """label: the followed token's label (its position and text)."""
    where = "the prompt" if last else f"token ‘{as_text(label)}’"
    likely = as_text(repr(top["token"]))
    return f"After {where}, the most likely next token is **{likely}**, with probability {top['probability']:.1%}."


def not_last(row: int, last: int) -> str:
    return (
        f"You follow token {row}, so this is what the model predicts after it, from only the tokens up to it (the "
        f"mask saw to that). Follow token {last} for the prediction after the whole prompt."
    )
