"""Text generation you can watch: the decoding loop written out, recording what the model thought at every step.

A GPT produces one next-token distribution per forward pass. Generation is a loop: run the model, take the logits
at the last position, shape them with the knobs in `sampling_filters`, pick a token, append it, repeat. This module
runs exactly that loop (with the key/value cache, as `model.generate` does) and keeps, for every step, the
probability the model gave the token it chose and the entropy of its distribution. Greedy and sampled output match
transformers' own `generate` token for token (tests/unit/generation/test_decode.py). Beam search keeps several candidate
texts alive at once; it is left to `model.generate`, and we read the chosen tokens' probabilities from its raw logits.

References: nanoGPT's `GPT.generate` (karpathy/nanoGPT, model.py), transformers' `GenerationMixin._sample`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import torch
from transformers import TextIteratorStreamer

from playground.generation.filters import Knobs, entropy_bits, final_logits

MAX_NEW_TOKENS = 200  # the cap on a shared 2-core server: ~10 s of gpt2 on CPU
MAX_SEQUENCES = 4
MAX_BEAMS = 8
MAX_SEED = 2**31 - 1
# One generation at a time per server process: two at once on 2 shared cores are each more than twice as slow.
_ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Settings:
    """Everything the learner sets. `num_beams > 1` means beam search; else `do_sample` picks sampling or greedy."""

    prompt: str = "ROMEO:"
    max_new_tokens: int = 47
    do_sample: bool = False
    temperature: float = 1.0
    top_k: int = 0  # 0 = off
    top_p: float = 1.0  # 1.0 = off
    repetition_penalty: float = 1.0  # 1.0 = off
    num_beams: int = 1
    num_sequences: int = 1
    seed: int = 0

    @property
    def knobs(self) -> Knobs:
        return Knobs(self.temperature, self.top_k, self.top_p, self.repetition_penalty, self.do_sample)

    @property
    def method(self) -> str:
        if self.num_beams > 1:
            return f"beam search ({self.num_beams} beams)"
        return "sampling" if self.do_sample else "greedy"


@dataclass
class Prepared:
    """Settings made safe to run, the prompt's token ids, and a note for every change we had to make."""

    settings: Settings
    input_ids: torch.Tensor  # (1, prompt_len)
    notes: list[str] = field(default_factory=list)


def context_length(model) -> int:
    config = model.config
    for name in ("n_positions", "max_position_embeddings", "n_ctx"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return 1024


def start_token_id(tokenizer) -> int | None:
    """What an empty prompt starts from: GPT-2 was trained with <|endoftext|> between documents, so after it the
    model writes the start of a fresh document."""
    for token_id in (tokenizer.bos_token_id, tokenizer.eos_token_id):
        if token_id is not None:
            return int(token_id)
    return None


def prepare(settings: Settings, tokenizer, model) -> Prepared:
    """Turn whatever the learner typed into something the model can run, explaining each adjustment."""
    notes: list[str] = []
    s = settings
    if s.max_new_tokens > MAX_NEW_TOKENS:
        notes.append(
            f"Max new tokens is capped at {MAX_NEW_TOKENS} on this shared server; generating {MAX_NEW_TOKENS}."
        )
        s = replace(s, max_new_tokens=MAX_NEW_TOKENS)
    if s.max_new_tokens < 1:
        notes.append("Max new tokens must be at least 1; generating 1.")
        s = replace(s, max_new_tokens=1)
    s = replace(
        s, num_sequences=min(max(s.num_sequences, 1), MAX_SEQUENCES), num_beams=min(max(s.num_beams, 1), MAX_BEAMS)
    )
    s = replace(s, seed=min(max(int(s.seed), 0), MAX_SEED))
    if s.repetition_penalty <= 0:
        notes.append("A repetition penalty must be above 0 (1 means off); using 1.")
        s = replace(s, repetition_penalty=1.0)
    if s.num_beams > 1:
        if s.do_sample:
            notes.append("Beam search here is deterministic: temperature, top-k and top-p are ignored.")
            s = replace(s, do_sample=False)
        if s.num_sequences > s.num_beams:
            notes.append(f"Beam search can return at most {s.num_beams} sequences (one per beam).")
            s = replace(s, num_sequences=s.num_beams)
    if s.do_sample:
        vocab = model.config.vocab_size
        if s.temperature <= 0:
            notes.append("Temperature 0 means always take the most likely token: that is greedy decoding.")
            s = replace(s, do_sample=False, temperature=1.0)
        if s.top_k < 0 or s.top_k >= vocab:
            if s.top_k >= vocab:
                notes.append(
                    f"Top-k {s.top_k} is not below the vocabulary size ({vocab}), so it keeps every token: "
                    "top-k is off."
                )
            s = replace(s, top_k=0)
        if s.top_p <= 0:
            notes.append("Top-p 0 keeps only the single most likely token, so sampling becomes greedy.")
            s = replace(s, top_p=0.0)
        elif s.top_p > 1:
            s = replace(s, top_p=1.0)
    if not s.do_sample and s.num_beams == 1 and s.num_sequences > 1:
        notes.append("Greedy decoding gives the same text every time, so only one sequence is generated.")
        s = replace(s, num_sequences=1)

    ids = tokenizer(s.prompt, add_special_tokens=False)["input_ids"] if s.prompt else []
    if not ids:
        start = start_token_id(tokenizer)
        if start is None:
            raise ValueError("The prompt is empty and this tokenizer has no start token: type a few words to begin.")
        notes.append(
            "The prompt is empty, so generation starts from the special token "
            f"{tokenizer.convert_ids_to_tokens(start)!r}."
        )
        ids = [start]
    context = context_length(model)
    if s.max_new_tokens > context - 1:
        notes.append(f"This model sees at most {context} tokens, so at most {context - 1} can be generated.")
        s = replace(s, max_new_tokens=context - 1)
    room = context - s.max_new_tokens
    if len(ids) > room:
        notes.append(
            f"The prompt has {len(ids)} tokens but this model sees only {context} at a time and {s.max_new_tokens} are "
            f"kept free for the new ones: the first {len(ids) - room} prompt tokens were dropped (truncated from the "
            "left)."
        )
        ids = ids[-room:]
    return Prepared(s, torch.tensor([ids], dtype=torch.long), notes)


@dataclass
class Generation:
    """What came out, and what the model thought while producing it."""

    sequences: torch.Tensor  # (num_sequences, prompt_len + steps), padded with pad_id after end-of-text
    prompt_len: int
    chosen_probs: torch.Tensor  # (num_sequences, steps): softmax(model logits)[chosen token], before any knob
    entropies: torch.Tensor  # (num_sequences, steps): entropy in bits of softmax(model logits)
    lengths: list[int]  # new tokens per sequence, up to and including end-of-text
    settings: Settings

    @property
    def new_tokens(self) -> torch.Tensor:
        return self.sequences[:, self.prompt_len :]


def _step_stats(logits: torch.Tensor, chosen: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    probs = logits.softmax(dim=-1)
    return probs.gather(-1, chosen[:, None])[:, 0], entropy_bits(probs)


@torch.no_grad()
def generate(
    model, prepared: Prepared, eos_token_id: int | None, streamer=None, stop: threading.Event | None = None
) -> Generation:
    """Greedy decoding, sampling, or (num_beams > 1) beam search, with every step recorded."""
    s = prepared.settings
    if s.num_beams > 1:
        return _beam_search(model, prepared, eos_token_id)
    ids = prepared.input_ids.repeat(s.num_sequences, 1)
    prompt_len = ids.shape[1]
    pad_id = eos_token_id if eos_token_id is not None else 0
    generator = torch.Generator().manual_seed(s.seed)
    finished = torch.zeros(s.num_sequences, dtype=torch.bool)
    lengths = [s.max_new_tokens] * s.num_sequences
    probs_per_step, entropy_per_step = [], []
    past, step_input = None, ids
    for step in range(s.max_new_tokens):
        if stop is not None and stop.is_set():
            break
        out = model(input_ids=step_input, past_key_values=past, use_cache=True)
        past = out.past_key_values
        logits = out.logits[:, -1, :].float()
        scores = final_logits(logits, ids, s.knobs)
        if s.do_sample:
            chosen = torch.multinomial(scores.softmax(dim=-1), 1, generator=generator)[:, 0]
        else:
            chosen = scores.argmax(dim=-1)
        chosen = torch.where(finished, torch.full_like(chosen, pad_id), chosen)
        p, h = _step_stats(logits, chosen)
        probs_per_step.append(p)
        entropy_per_step.append(h)
        ids = torch.cat([ids, chosen[:, None]], dim=1)
        if streamer is not None:
            streamer.put(chosen[:1])
        if eos_token_id is not None:
            for i in torch.nonzero(~finished & (chosen == eos_token_id))[:, 0].tolist():
                lengths[i] = step + 1
            finished |= chosen == eos_token_id
            if finished.all():
                break
        step_input = chosen[:, None]
    steps = ids.shape[1] - prompt_len
    lengths = [min(n, steps) for n in lengths]
    return Generation(
        sequences=ids,
        prompt_len=prompt_len,
        chosen_probs=torch.stack(probs_per_step, dim=1) if probs_per_step else torch.zeros(s.num_sequences, 0),
        entropies=torch.stack(entropy_per_step, dim=1) if entropy_per_step else torch.zeros(s.num_sequences, 0),
        lengths=lengths,
        settings=s,
    )


def _beam_search(model, prepared: Prepared, eos_token_id: int | None) -> Generation:
    s = prepared.settings
    out = model.generate(
        prepared.input_ids,
        attention_mask=torch.ones_like(prepared.input_ids),
        **generate_kwargs(s, eos_token_id),
        output_logits=True,
        return_dict_in_generate=True,
    )
    prompt_len = prepared.input_ids.shape[1]
    sequences = out.sequences
    steps = sequences.shape[1] - prompt_len
    chosen_probs = torch.zeros(sequences.shape[0], steps)
    entropies = torch.zeros(sequences.shape[0], steps)
    lengths = []
    for i in range(sequences.shape[0]):
        n = 0
        for t in range(steps):
            beam = int(out.beam_indices[i, t])
            if beam < 0:  # this hypothesis had already ended
                break
            logits = out.logits[t][beam].float()[None]
            p, h = _step_stats(logits, sequences[i, prompt_len + t][None])
            chosen_probs[i, t], entropies[i, t] = p[0], h[0]
            n = t + 1
        lengths.append(n)
    return Generation(sequences, prompt_len, chosen_probs, entropies, lengths, s)


def generate_kwargs(s: Settings, eos_token_id: int | None) -> dict:
    """The same settings spelled as arguments of transformers' `model.generate` (used for beam search, the code
    panel, the parity tests and the benchmark)."""
    kwargs = dict(
        max_new_tokens=s.max_new_tokens,
        do_sample=s.do_sample,
        num_beams=s.num_beams,
        num_return_sequences=s.num_sequences,
        repetition_penalty=s.repetition_penalty,
        pad_token_id=eos_token_id,
        eos_token_id=eos_token_id,
    )
    if s.do_sample:
        kwargs.update(temperature=s.temperature, top_k=s.top_k, top_p=s.top_p)
    else:
        kwargs.update(temperature=None, top_k=None, top_p=None)
    return kwargs


class StreamingRun:
    """Generation on a background thread, its text arriving through transformers' TextIteratorStreamer.

    Iterate over the run to receive text pieces as they are produced (feed it to `st.write_stream`), then call
    `result()`: it joins the thread and re-raises any error the generation hit, so nothing fails silently.
    Only one sequence can stream; several sequences or beams run without streaming (`streams` is False).
    """

    def __init__(self, model, tokenizer, prepared: Prepared, eos_token_id: int | None, timeout: float = 300.0):
        s = prepared.settings
        self.streams = s.num_beams == 1
        self.streamer = TextIteratorStreamer(tokenizer, skip_special_tokens=True, timeout=timeout)
        self._stop = threading.Event()
        self._result: Generation | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._work, args=(model, prepared, eos_token_id), daemon=True, name="gpt-generation"
        )
        self._thread.start()

    def _work(self, model, prepared, eos_token_id):
        try:
            with _ONE_AT_A_TIME:
                self._result = generate(
                    model, prepared, eos_token_id, self.streamer if self.streams else None, self._stop
                )
        except BaseException as err:  # surfaced by result()
            self._error = err
        finally:
            self.streamer.end()

    def __iter__(self):
        yield from self.streamer

    def cancel(self) -> None:
        """Ask the loop to stop after the current step (e.g. the learner left the page)."""
        self._stop.set()

    def result(self) -> Generation:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def step_logits(model, sequence: torch.Tensor, position: int) -> torch.Tensor:
    """The model's logits for the token at `position` of `sequence`, from the text before it (one forward pass)."""
    with torch.no_grad():
        return model(input_ids=sequence[None, :position]).logits[0, -1].float()


def attention_weights(model, sequence: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Every layer's attention over `sequence` (1-D ids): one (1, heads, seq, seq) tensor per layer.
    Needs the model loaded with attn_implementation="eager" (sdpa returns no weights)."""
    with torch.no_grad():
        out = model(input_ids=sequence[None], output_attentions=True)
    if not out.attentions or out.attentions[0] is None:
        raise ValueError('This model returned no attention weights: load it with attn_implementation="eager".')
    return out.attentions
