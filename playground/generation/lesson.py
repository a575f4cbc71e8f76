"""The GPT generation page's decisions, without Streamlit: which settings the widgets mean, whether the text on
screen still answers them, and what the page draws for one step of it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch

from playground.generation import decode
from playground.generation.code_panel import generation_code
from playground.generation.figures import entropy_chart, stages_chart, temperature_chart, token_namer, visible
from playground.generation.filters import stages
from playground.generation.logit_lens import logit_lens
from playground.models import LoadedModel

METHODS = ("greedy", "sampling", "beam search")
# The page opens on seeded sampling, chosen by measuring candidates on the bundled model from "ROMEO:"
# (scripts/measure_decoding.py; re-measured on the GPT retrained by the Training job, 20 seeds, 48 and 200 new
# tokens): greedy repeats all of its word 4-grams at both lengths, greedy with a 1.2 penalty 0% but 11% at 200; every
# sampling candidate 0%. Plain sampling (temperature 1) writes non-words: 7% of its words are in no play. Temperature
# 0.7, top-k 20 and a 1.2 penalty keep that to 1%, the best of the candidates. The seed makes a link reproduce the text.
DEFAULT = decode.Settings(do_sample=True, temperature=0.7, top_k=20, top_p=1.0, repetition_penalty=1.2, seed=0)
DEFAULT_METHOD = "sampling"
EXPLORER_T = (0.05, 3.0)  # the explorer's temperature slider's bounds
EXPLORER_TOP_K, EXPLORER_TOP_P = 10, 0.9  # where the explorer starts a filter the text did not use, to show its cut


def default_prompt(loaded: LoadedModel) -> tuple[str, int]:
    """The first lesson's prompt, and as many new tokens as make the lesson's `max_length=50` with it."""
    prompt = "ROMEO:" if loaded.source == "bundled" else "Once upon a time"
    return prompt, max(1, 50 - len(loaded.tokenizer(prompt, add_special_tokens=False)["input_ids"]))


def default_settings(loaded: LoadedModel) -> decode.Settings:
    """What the page generates when opened without a link."""
    prompt, max_new = default_prompt(loaded)
    return replace(DEFAULT, prompt=prompt, max_new_tokens=max_new)


def settings(prompt, max_new, method, temperature, top_k, top_p, penalty, beams, n_seq, seed) -> decode.Settings:
    """The widgets' values as decoding settings: the method decides sampling and whether beams count."""
    beams = beams if method == "beam search" else 1
    return decode.Settings(
        prompt, int(max_new), method == "sampling", temperature, int(top_k), top_p, penalty, beams, n_seq, int(seed)
    )


@dataclass(frozen=True)
class Request:
    """What a generation answers: this model, these settings, this prompt."""

    model: str
    settings: decode.Settings
    prompt_ids: tuple[int, ...]

    @classmethod
    def of(cls, loaded: LoadedModel, prepared: decode.Prepared) -> Request:
        return cls(loaded.name, prepared.settings, tuple(prepared.input_ids[0].tolist()))


@dataclass
class Shown:
    """A generation on screen, with the request it answered."""

    request: Request
    prepared: decode.Prepared
    result: decode.Generation
    pieces: list[list[str]] = field(default_factory=list)  # each sequence's new tokens as text, up to its end

    def stale(self, request: Request) -> bool:
        """The learner changed a setting since: the text no longer shows what the settings would give."""
        return self.request != request

    @property
    def written(self) -> list[int]:
        """The sequences with at least one token (one may have chosen end-of-text first)."""
        return [i for i, row in enumerate(self.pieces) if row]


def shown(loaded: LoadedModel, prepared: decode.Prepared, result: decode.Generation) -> Shown:
    rows = zip(result.new_tokens.tolist(), result.lengths, strict=True)
    pieces = [[loaded.tokenizer.decode([t]) for t in row[:n]] for row, n in rows]
    return Shown(Request.of(loaded, prepared), prepared, result, pieces)


def write(loaded: LoadedModel, prepared: decode.Prepared, report) -> Shown:
    """Generate what the page shows, calling `report((prompt, text so far))` after every token while one sequence
    streams. The loop stops with the caller: a learner who leaves mid-stream stops the generation, not only its
    display."""
    tok = loaded.tokenizer
    run, prompt = decode.StreamingRun(loaded.model, tok, prepared, tok.eos_token_id), tok.decode(prepared.input_ids[0])
    try:
        so_far = ""
        if run.streams:
            report((prompt, so_far))
        for piece in run if run.streams else ():
            report((prompt, so_far := so_far + piece))
        return shown(loaded, prepared, run.result())
    finally:
        run.cancel()


def must_generate(on_screen: Shown | None, request: Request, clicked: bool) -> bool:
    """Generate on a click, on the first visit, and for another model; other changes wait for a click."""
    return clicked or on_screen is None or on_screen.request.model != request.model


@dataclass
class Step:
    """One step of one sequence: what the model had read, what it chose, and what it thought."""

    which: int
    step: int
    position: int  # tokens read before this step
    read: torch.Tensor  # those tokens' ids
    chosen: int
    piece: str
    probability: float


def step(on_screen: Shown, which: int, step_number: int) -> Step:
    result = on_screen.result
    sequence = result.sequences[which]
    position = result.prompt_len + step_number - 1
    piece = visible(on_screen.pieces[which][step_number - 1])
    probability = float(result.chosen_probs[which, step_number - 1])
    return Step(which, step_number, position, sequence[:position], int(sequence[position]), piece, probability)


def explorer_start(s: decode.Settings) -> tuple[float, int, float]:
    """The temperature explorer's first temperature, top-k and top-p: the text's own, so its bars are what that text
    was sampled from. Greedy and beam search ignore temperature (the likeliest token is the same at any), so their
    explorer starts at 1, the model's own distribution. A filter the text did not use starts on, to show its cut."""
    sampled = s.do_sample and s.num_beams == 1
    temperature = min(max(s.temperature, EXPLORER_T[0]), EXPLORER_T[1]) if sampled else 1.0
    top_k = s.top_k if sampled and 0 < s.top_k <= 1000 else EXPLORER_TOP_K
    top_p = s.top_p if sampled and s.top_p < 1.0 else EXPLORER_TOP_P
    return temperature, top_k, top_p


def inside(model, tokenizer, read: tuple[int, ...]):
    """What the page draws from the text the model had read at one step: its logits, the logit lens, attention."""
    sequence = torch.tensor(read)
    logits = decode.step_logits(model, sequence, len(read))
    return logits, logit_lens(model, sequence[None], top=5), decode.attention_weights(model, sequence)


@dataclass(frozen=True)
class StepView:
    """Everything "Inside one step" draws, built once per model, text read, knobs and chosen token: a class that opens
    the same link reads one shared copy (the page only draws it), instead of each learner rebuilding its figures."""

    logits: torch.Tensor
    lens_rows: list[dict]
    attentions: tuple
    stages: object  # the plotly figure of the distribution before and after each knob


def step_view(model, tokenizer, read: tuple[int, ...], knobs, chosen: int) -> StepView:
    logits, lens, attentions = inside(model, tokenizer, read)
    name = token_namer(tokenizer)
    figure = stages_chart(stages(logits, torch.tensor(read), knobs), name, chosen)
    return StepView(logits, lens_rows(lens, name), attentions, figure)


def entropy_figure(model, tokenizer, entropies: tuple, probabilities: tuple, pieces: tuple):
    """The entropy chart of one text, shared like `step_view` (the model is not needed, only the text's numbers)."""
    return entropy_chart(list(entropies), list(probabilities), list(pieces))


def explorer_figure(model, tokenizer, read: tuple[int, ...], temperature: float, top_k: int, top_p: float):
    """The temperature explorer at these knobs: (figure, cut, vocabulary size, bars drawn), shared like `step_view`."""
    logits = decode.step_logits(model, torch.tensor(read), len(read))
    figure, cut, _ = temperature_chart(logits, token_namer(tokenizer), temperature, top_k, top_p)
    return figure, cut, logits.shape[-1], len(figure.layout.xaxis.categoryarray)


def lens_rows(lens, name) -> list[dict]:
    return [
        {
            "layer": r.layer,
            "top token": visible(name(r.top_tokens[0])),
            "p": round(r.top_probs[0], 3),
            "next 4": " · ".join(visible(name(t)) for t in r.top_tokens[1:]),
            "p(final top token)": round(r.chosen_prob, 3),
        }
        for r in lens
    ]


def code(loaded: LoadedModel, on_screen: Shown, at: Step) -> str:
    return generation_code(on_screen.prepared, loaded.code_ref, loaded.tokenizer.eos_token_id, (at.which, at.step))
