"""The words of the BERT page, kept beside the code they explain rather than inside the page file."""

import math

from playground.url_values import quoted

INTRO = (
    "BERT reads the whole sentence at once and is pretrained on two games: **fill in the masked words** "
    "(masked-language modelling) and **does sentence B follow sentence A?** (next-sentence prediction). Click tokens "
    "to hide them and see what the model guesses, with how sure it is."
)
MASKING = (
    "Click tokens to hide them, or type `[MASK]` in the text for a blank of your own. BERT predicts both kinds; only "
    "a word you hid has a known answer, so only those count in the loss."
)
# The bundled model's own figure, from its card (assets/models/shakespeare-bert/README.md; a test holds the two equal).
NSP_HELD_OUT_ACCURACY = 0.683
BUNDLED_FAILS = (
    "**Where the bundled model fails.** It has read 1 MB of Shakespeare and nothing else: it knows *thou* and *thy*, "
    "but not the modern world, and words it saw rarely are beyond it. Press **🌍 Try a modern sentence** to watch it "
    "miss a word that a BERT trained on modern text (`bert-base-uncased`, Wikipedia and books) knows."
)
MULTILINGUAL = "bert-base-multilingual-cased"  # a BERT whose vocabulary was built from 104 languages' Wikipedias
NOTHING_TO_MASK = "Type a sentence above to begin: there is nothing to mask yet."
NOTHING_MASKED = (
    "Nothing is masked yet: click some tokens above, type `[MASK]` in the text, or press **Mask like pretraining**."
)
NO_LOSS = (
    "No loss: every blank here was typed, and nobody knows its answer. Click a word above to hide one whose answer is "
    "known: BERT's loss on it appears."
)
EVERY_TOKEN_MASKED = (
    "Every token is masked: BERT has only positions and [CLS]/[SEP] to go on, so it guesses the most common tokens. "
    "Unmask a few to give it context."
)
LOSS_HELP = "Mean of −log p(original token) over the picked positions, the loss BERT is pretrained on."
QUIZ = (
    "A line from the held-out end of the plays (the bundled BERT never read it), with one ordinary word hidden. Type "
    "your guess, then see BERT's five best guesses. Who is right more often?"
)
ONLY_THE_FIRST_GUESS = "Only the guess made before the reveal counts. Press **Next line** for a new one."
CARD = (
    " The model card (`assets/models/shakespeare-bert/README.md`) measures the same way on every held-out *line* of "
    "the plays rather than these whole sentences, which give BERT a little more to go on, and splits its figure by "
    "how often the training text has the word: BERT guesses common words far more often than rare ones."
)
TYPE_BOTH = "Type both sentences to see whether BERT thinks B follows A."
NO_ATTENTION_INPUT = "Type a sentence in section 1, or two in section 3, to see where BERT's heads look."


def truncated(n_tokens: int, limit: int) -> str:
    return (
        f"Your text has {n_tokens} tokens; this model reads at most {limit}, so only the first {limit} (with [CLS] and "
        "[SEP]) are used."
    )


def respelled(lesson_mask: str, mask_token: str) -> str:
    return f"This model writes its mask token `{mask_token}`: each `{lesson_mask}` you typed is read as `{mask_token}`."


def unknown(n: int, unk_token: str, words: list[str], every: bool, model_name: str) -> str:
    """Why text became [UNK], and which model would read it."""
    shown = ", ".join(quoted(w, limit=40) for w in words[:8]) + (", …" if len(words) > 8 else "")
    said = f"every token ({n})" if every else f"{n} token(s)"
    why = (
        f"{said.capitalize()} became `{unk_token}`{f' ({shown})' if shown else ''}: this model's vocabulary has no "
        "pieces for those characters, so BERT only knows *something* was there"
    )
    if every:
        why += " and its guesses here mean nothing"
    if model_name == MULTILINGUAL:
        return why + ". Emoji and rare symbols are unknown even to a multilingual vocabulary."
    return (
        why + ". A vocabulary built from English text (the bundled one read only Shakespeare) lacks most other "
        "scripts, Greek and Chinese among them. A multilingual BERT reads them: choose *another Hugging Face hub id* "
        f"above and type `{MULTILINGUAL}` (104 languages)."
    )


def picked(n: int, counts: dict, vocab: int, masked: str, random: str, unchanged: str, n_typed: int = 0) -> str:
    said = ""
    if n:
        said = (
            f"{n} picked: {counts[masked]} → [MASK], {counts[random]} → random token, {counts[unchanged]} unchanged. "
            f"A uniform guess over {vocab:,} tokens would score ln {vocab:,} = {math.log(vocab):.2f}. "
        )
    if n_typed:
        said += (
            f"{n_typed} mask{'s' if n_typed > 1 else ''} typed in the text: predicted the same way, with no answer to "
            "score, so outside the loss."
        )
    return f"{said} {NO_LOSS}" if n_typed and not n else said.strip()


def filled_legend(right: bool, wrong: bool, typed: bool) -> str:
    """What the colours of the filled-in sentence mean, for the kinds it shows."""
    kinds = [
        "<span style='color:#1a7f37'>✓ green</span>: BERT's guess is the hidden word" if right else "",
        "<span style='color:#cf222e'>✗ red</span>: it is not (the hidden word in brackets)" if wrong else "",
        "<span style='color:#0969da;text-decoration:underline dotted'>blue, dotted</span>: a mask you typed, whose "
        "answer nobody knows"
        if typed
        else "",
    ]
    return " · ".join(k for k in kinds if k)


def verdict(answer: str, bert_top1: str, counted) -> str:
    """Who was right about the hidden word; `counted` is the quiz round as the tally counted it."""
    bert = "right" if counted.bert else "wrong"
    said = f"The hidden word is **{answer}**. BERT's first guess, **{bert_top1}**, is {bert}; "
    if not counted.guess:
        return said + "you made no guess, which counts as a miss."
    return said + f"yours, **{counted.guess}**, is {'right' if counted.you else 'wrong'}."


def score_metrics(scored) -> list[tuple[str, str, str]]:
    return [
        ("First guess right", f"{scored.accuracy:.0%}", f"{scored.right} of {scored.n}"),
        ("Word among the five guesses", f"{scored.top5_accuracy:.0%}", f"{scored.in_top5} of {scored.n}"),
    ]


def score(n: int, vocab: int, bundled: bool) -> str:
    return (
        f"The quiz's first {n} lines. A guess drawn at random from the {vocab:,} tokens would be right "
        f"{1 / vocab:.3%} of the time.{CARD if bundled else ''}"
    )


def no_quiz(name: str, why: str) -> str:
    return f"No quiz for `{name}`: {why}. The other sections work as usual."


def no_nsp(name: str) -> str:
    return (
        f"`{name}` has no next-sentence head: DistilBERT was distilled with the masked-LM loss only. Pick the bundled "
        "model or bert-base-uncased to try this."
    )


def nsp_logits(logits: list[float], bundled: bool) -> str:
    said = (
        f"Logits [IsNext, NotNext] = [{logits[0]:.3f}, {logits[1]:.3f}]; softmax of these. In pretraining, half the "
        "pairs were real and half random."
    )
    if bundled:
        said += (
            f" On pairs from plays it never read, the bundled BERT is right {NSP_HELD_OUT_ACCURACY:.0%} of the time "
            "(chance: 50%): the default pair is one it gets right, but press **📖 A real consecutive pair** a few "
            "times and it will miss some. A model that read 1 MB of text has seen too few scenes to follow every one."
        )
    return said


def fresh_head(weights: list[str], seed: int) -> str:
    return (
        f"The classification head ({', '.join(f'`{w}`' for w in weights)}) is **freshly initialised** from seed "
        f"{seed}, not trained: these logits are noise and the loss is near ln 2 = 0.693 whatever the sentence says. "
        "Fine-tuning on labelled sentences would train this head (and nudge BERT's body) until the logits for the "
        "right label rise and the loss falls toward 0."
    )
