"""The words of the GPT generation page, kept beside the code they explain rather than inside the page file."""

INTRO = (
    "A GPT reads the text so far and gives **every token in its vocabulary a probability** of coming next. "
    "Generation is a loop: pick one token from that distribution, append it, ask again. *Greedy* always takes the "
    "most likely token; *sampling* draws one at random, shaped by **temperature** (sharper below 1, flatter above), "
    "**top-k** (only the k likeliest) and **top-p** (only the likeliest tokens until their probability adds up to "
    "p); *beam search* keeps several candidate texts and returns the most likely whole sequences."
)
STALE = "The settings changed since this text was generated: press **Generate** to see their effect."
ENDED_AT_ONCE = "The model ended the text straight away (it chose end-of-text first). Try another prompt or sampling."
KNOBS_OFF = "A knob that is off is not drawn. Greedy and beam search use only the repetition penalty."
ENTROPY = "0 bits: certain. Each extra bit doubles the number of equally likely choices it is hesitating between."
LOGIT_LENS = (
    "The final layer norm and unembedding applied after every block: what the model would say if it stopped there."
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


def explorer(step: int) -> str:
    return (
        f"The distribution of step {step}, re-drawn live as you move the temperature. Bars right of a dashed line are "
        "cut by that filter; grey bars can never be sampled."
    )


def kept(temperature: float, cut) -> str:
    return (
        f"At temperature {temperature:g}: top-k keeps {cut.top_k_kept}, top-p keeps {cut.top_p_kept}, together "
        f"{cut.both_kept} tokens."
    )


def attention(position: int, step: int) -> str:
    return (
        f"The {position} tokens the model read at step {step}. A GPT only looks back: each token attends to itself "
        "and earlier ones."
    )
