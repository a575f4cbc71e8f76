"""A GPT-2 style configuration: the handful of numbers that decide every parameter, byte and FLOP of the model.

The field names follow the lesson's dictionary (Raschka, "Build a Large Language Model (From Scratch)", ch. 4):
GPT_CONFIG_124M = {vocab_size 50257, context_length 1024, emb_dim 768, n_heads 12, n_layers 12, drop_rate 0.1,
qkv_bias False}. `tied` is the one extra switch: whether the output head reuses the token-embedding matrix, as
OpenAI's GPT-2 does. Hugging Face's names for the same fields are given by `to_hf_kwargs`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from playground.url_values import parse_bool

# Analytic numbers are instant at any size, but a number input in the browser only holds integers up to 2**53, and
# nothing real comes near this: GPT-3 has emb_dim 12288, 96 layers and a vocabulary of 50257.
MAX_FIELD = 10**15

INT_FIELDS = ("vocab_size", "context_length", "emb_dim", "n_heads", "n_layers")
BOOL_FIELDS = ("qkv_bias", "tied")


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int = 50257  # how many distinct tokens the tokenizer can emit (GPT-2's BPE: 50,257)
    context_length: int = 1024  # the longest sequence the model can see; sets the size of the position table
    emb_dim: int = 768  # the width of every token's vector, all the way through the model
    n_heads: int = 12  # attention heads per layer; each looks at emb_dim / n_heads dimensions
    n_layers: int = 12  # how many transformer blocks are stacked
    drop_rate: float = 0.1  # dropout probability during training; adds no parameters
    qkv_bias: bool = False  # whether the query/key/value projections have a bias (OpenAI's GPT-2 has one)
    tied: bool = True  # the LM head reuses the token-embedding matrix instead of owning a second copy

    @property
    def head_dim(self) -> int:
        return self.emb_dim // self.n_heads

    @property
    def hidden_dim(self) -> int:
        """The MLP's inner width: GPT-2 expands each token to 4 x emb_dim and projects it back."""
        return 4 * self.emb_dim

    def problems(self) -> list[str]:
        """Everything wrong with this configuration, each said so a learner knows what to change. Empty means valid."""
        found = []
        for name in INT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                found.append(f"`{name}` must be a whole number, got {value!r}.")
            elif value <= 0:
                found.append(f"`{name}` must be at least 1, got {value:,}. A model needs at least one of each.")
            elif value > MAX_FIELD:
                found.append(f"`{name}` = {value:,} is beyond the cap of {MAX_FIELD:,}; nothing real is that big.")
        for name in BOOL_FIELDS:
            if not isinstance(getattr(self, name), bool):
                found.append(f"`{name}` must be true or false, got {getattr(self, name)!r}.")
        rate = self.drop_rate
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate != rate:
            found.append(f"`drop_rate` must be a number in [0, 1), got {rate!r}.")
        elif not 0 <= rate < 1:
            found.append(
                f"`drop_rate` must be in [0, 1): it is the probability of zeroing an activation, got {rate}. "
                "1 would drop everything; GPT-2 uses 0.1."
            )
        if not found and self.emb_dim % self.n_heads:
            found.append(
                f"`emb_dim` ({self.emb_dim:,}) must be divisible by `n_heads` ({self.n_heads:,}): the embedding is "
                f"split evenly between the heads. Try n_heads = {nearest_divisor(self.emb_dim, self.n_heads)} "
                f"or emb_dim = {round_to_multiple(self.emb_dim, self.n_heads):,}."
            )
        return found

    def to_hf_kwargs(self) -> dict:
        """The same model in transformers' GPT2Config names. Its GPT-2 always has QKV biases: see `param_count`."""
        return dict(
            vocab_size=self.vocab_size,
            n_positions=self.context_length,
            n_embd=self.emb_dim,
            n_layer=self.n_layers,
            n_head=self.n_heads,
            resid_pdrop=self.drop_rate,
            embd_pdrop=self.drop_rate,
            attn_pdrop=self.drop_rate,
            tie_word_embeddings=self.tied,
        )

    def as_dict(self) -> dict:
        return asdict(self)


def nearest_divisor(emb_dim: int, n_heads: int) -> int:
    """The head count closest to what was asked that splits emb_dim evenly (a helpful suggestion, not a rule)."""
    if emb_dim > 10**7:  # keep the suggestion instant for absurd sizes
        return 1 if emb_dim % n_heads else n_heads
    divisors = [k for k in range(1, min(emb_dim, 4 * n_heads) + 1) if emb_dim % k == 0]
    return min(divisors, key=lambda k: (abs(k - n_heads), -k))


def round_to_multiple(value: int, step: int) -> int:
    return max(step, round(value / step) * step)


LESSON_124M = GPTConfig(tied=False)
PRESETS: dict[str, GPTConfig] = {
    # The lesson's GPTModel has its own out_head, so it is untied as written; tying it gives 124,412,160.
    "Lesson GPT_CONFIG_124M": LESSON_124M,
    # Hugging Face's gpt2 checkpoints (config.json of gpt2, gpt2-medium, gpt2-large, gpt2-xl).
    "GPT-2 small (HF gpt2)": GPTConfig(qkv_bias=True, tied=True),
    "GPT-2 medium (HF gpt2-medium)": GPTConfig(emb_dim=1024, n_heads=16, n_layers=24, qkv_bias=True, tied=True),
    "GPT-2 large (HF gpt2-large)": GPTConfig(emb_dim=1280, n_heads=20, n_layers=36, qkv_bias=True, tied=True),
    "GPT-2 XL (HF gpt2-xl)": GPTConfig(emb_dim=1600, n_heads=25, n_layers=48, qkv_bias=True, tied=True),
}


def matching_preset(config: GPTConfig) -> str | None:
    for name, preset in PRESETS.items():
        if preset == config:
            return name
    return None


# ---- reading a configuration from a link -------------------------------------------------------------------------


def parse_int(text: str) -> int:
    """A positive whole number as typed in a URL: `768`, `50_257` and `1e12` are fine, `76.5` is not."""
    raw = str(text).strip().replace("_", "").replace(",", "")
    try:
        value = int(raw)
    except ValueError:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")) or not number.is_integer():
            raise ValueError(f"{text!r} is not a whole number") from None
        value = int(number)
    if value < 1:
        raise ValueError(f"{value} is not positive; it must be at least 1")
    if value > MAX_FIELD:
        raise ValueError(f"{value:.3g} is beyond the cap of {MAX_FIELD:.0e}")
    return value


def parse_rate(text: str) -> float:
    """A dropout probability as typed in a URL; must lie in [0, 1)."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise ValueError(f"{value} is outside [0, 1)")
    return value


PARSERS = {**{name: parse_int for name in INT_FIELDS}, "drop_rate": parse_rate, **{n: parse_bool for n in BOOL_FIELDS}}


# ---- what each term means, shown beside its control ------------------------------------------------------------

TERMS = {
    "parameters": "The numbers training learns: every weight and bias. GPT-2 small has about 124 million; "
    "GPT-3 175 billion.",
    "vocab_size": "How many different tokens exist. GPT-2's byte-level BPE has 50,257; modern models 32k to 256k.",
    "context_length": "The most tokens the model sees at once (its position table has this many rows). "
    "GPT-2: 1,024; GPT-3: 2,048.",
    "emb_dim": "The length of the vector that represents each token, in every layer. "
    "Hundreds to a few tens of thousands: 768 in GPT-2 small, 12,288 in GPT-3.",
    "hidden_dim": "The MLP's inner width, always 4 x emb_dim in GPT-2: each token is expanded, passed "
    "through GELU, and projected back.",
    "n_heads": "Attention heads per layer. Each attends with its own emb_dim / n_heads slice (64 in every GPT-2).",
    "n_layers": "Transformer blocks stacked one on another: tens to about a hundred (12 in GPT-2 small, 96 in GPT-3).",
    "drop_rate": "During training, the fraction of activations randomly zeroed to fight overfitting. "
    "It changes no parameter count and is switched off for generation.",
    "qkv_bias": "Whether the query/key/value projections add a bias vector. OpenAI's GPT-2 has one; the lesson's "
    "model leaves it out.",
    "tied": "Reuse the token-embedding matrix as the output head (as GPT-2 does), saving vocab_size x emb_dim "
    "parameters.",
}


def parse_amount(text: str) -> float:
    """A positive, finite quantity from a URL (tokens in billions, TFLOP/s), capped like the integer fields."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not 0.001 <= value <= MAX_FIELD:  # also rejects nan and inf
        raise ValueError(f"{value} must be at least 0.001 and at most {MAX_FIELD:.0e}")
    return value
