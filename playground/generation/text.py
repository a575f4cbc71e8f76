"""The words of the GPT generation page, kept beside the code they explain rather than inside the page file."""

INTRO = (
    "A GPT reads the text so far and gives **every token in its vocabulary a probability** of coming next. "
    "Generation is a loop: pick one token from that distribution, append it, ask again. *Greedy* always takes the "
    "most likely token; *sampling* draws one at random, shaped by **temperature** (sharper below 1, flatter above), "
    "**top-k** (only the k likeliest) and **top-p** (only the likeliest tokens until their probability adds up to "
    "p); *beam search* keeps several candidate texts and returns the most likely whole sequences."
)
GREEDY_BUTTON = "Greedy: watch it loop"
GREEDY_HELP = "Greedy decoding with no repetition penalty, from the same prompt."
STALE = "The settings changed since this text was generated: press **Generate** to see their effect."
LEFT_THE_QUEUE = "You left the queue, so nothing was generated. Press **Generate** when you want your text."
ENDED_AT_ONCE = "The model ended the text straight away (it chose end-of-text first). Try another prompt or sampling."
KNOBS_OFF = "A knob that is off is not drawn. Greedy and beam search use only the repetition penalty."
ENTROPY = "0 bits: certain. Each extra bit doubles the number of equally likely choices it is hesitating between."
LOGIT_LENS = (
    "The final layer norm and unembedding applied after every block: what the model would say if it stopped there."
)


GREEDY_LOOP = "I will not be so."  # what the bundled GPT's greedy writes after "ROMEO:", again and again


def writing(settings) -> str:
    n = settings.num_sequences
    return f"{settings.method}: {n} sequence{'s' if n != 1 else ''}…"


def greedy_loops(default) -> str:
    """Why the page opens on sampling: what greedy does instead, and why."""
    return (
        f"The page opens on **sampling** (temperature {default.temperature:g}, top-k {default.top_k}, repetition "
        f"penalty {default.repetition_penalty:g}, seed {default.seed}: the same seed writes the same text). "
        "**Greedy loops**: it always takes the likeliest token, and the model weighs the last few words most. Once a "
        f"phrase leads back to its own start (*ROMEO: {GREEDY_LOOP} ROMEO: {GREEDY_LOOP} ROMEO: …*), those words come "
        "round again, greedy makes "
        "the same choices again, and the text circles for ever. Sampling sometimes takes the second or third choice, "
        "which breaks the circle; the penalty makes words already written less likely."
    )


def max_new_help(default_new: int, default_prompt: str, cap: int) -> str:
    return (
        f"The lesson's `generate(max_length=50)` counts the prompt too: {default_new} new tokens after "
        f"{default_prompt!r} make 50. Capped at {cap} on this shared server."
    )


def chosen(step: int, position: int, piece: str, probability: float) -> str:
    return (
        f"At step {step} the model had read {position} tokens and chose **`{piece}`** with probability "
        f"**{probability:.3f}**. The bars show its top 20 before and after each knob:"
    )


def explorer(step: int, settings, start: tuple[float, int, float]) -> str:
    """What the explorer starts from: the text's own knobs, or where the text used none, a setting that shows one."""
    temperature, top_k, top_p = start
    if settings.do_sample and settings.num_beams == 1:
        origin = f"This text was sampled at temperature {temperature:g}: the explorer starts there"
        unused = [name for name, on in (("top-k", settings.top_k > 0), ("top-p", settings.top_p < 1)) if not on]
    else:
        origin = f"{settings.method.capitalize()} ignores temperature, so the explorer starts at 1, the model's own"
        unused = ["top-k", "top-p"]
    shown = {"top-k": f"top-k at {top_k}", "top-p": f"top-p at {top_p:g}"}
    also = (
        f", with {' and '.join(shown[u] for u in unused)} to show where {'it cuts' if len(unused) == 1 else 'they cut'}"
    )
    return (
        f"The distribution of step {step}, redrawn as you move the knobs. {origin}{also if unused else ''}. "
        "Sampling applies top-k first, then top-p to what top-k left."
    )


def _ranks(first: int, last: int, plural: str, singular: str) -> str:
    return f"token {first} {singular}" if first == last else f"tokens {first}–{last} {plural}"


def survivors(temperature: float, top_k: int, top_p: float, cut, vocab: int, drawn: int) -> str:
    """Which bars survive both filters, and why, in the counts the bars are coloured by (figures.FATES: blue can be
    sampled, green cut by top-p, red cut by top-k)."""
    k_on, p_on, n, k = 0 < top_k < vocab, top_p < 1.0, cut.both_kept, cut.top_k_kept
    at = f"At temperature {temperature:g}, "
    drawn_note = f" The chart draws the {drawn} likeliest." if max(n, k if k_on else 0) > drawn else ""
    kept = f"**{_ranks(1, n, 'can be sampled', 'can be sampled')}** (blue)"
    if not k_on and not p_on:
        return at + "both filters are off: every token can be sampled, in proportion to its bar."
    if not p_on:
        return (
            at + f"top-p is off (1) and top-k keeps the {k} likeliest tokens: {kept}; every token after token {k} is "
            "cut by top-k (red)." + drawn_note
        )
    if not k_on:
        return (
            at + f"top-k is off (0) and top-p keeps the likeliest tokens until their probability adds up to "
            f"{top_p:g}: {kept}; every token after token {n} is cut by top-p (green)." + drawn_note
        )
    first = (
        at + f"top-k keeps the {k} likeliest tokens, which hold {cut.top_k_mass:.0%} of the probability. Top-p then "
        f"renormalises those {k} to add up to 1 and keeps the likeliest until they reach {top_p:g}: "
    )
    both = f"**{_ranks(1, n, 'survive both', 'survives both')}** and can be sampled (blue)"
    if n == k:
        middle = f"it needs all {k}, so {both}; "
    else:
        middle = f"{n} suffice, so {both}; {_ranks(n + 1, k, 'are', 'is')} cut by top-p (green); "
    alone = (
        f" Top-p alone, over all {vocab} tokens, would keep {cut.top_p_kept}: among top-k's survivors each token "
        "holds a larger share, so they reach the mass sooner."
    )
    last = f"every token after token {k} is cut by top-k (red)."
    return first + middle + last + (alone if n < k and cut.top_p_kept > n else "") + drawn_note


def attention(position: int, step: int) -> str:
    return (
        f"The {position} tokens the model read at step {step}. A GPT only looks back: each token attends to itself "
        "and earlier ones."
    )
