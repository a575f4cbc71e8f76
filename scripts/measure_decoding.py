"""Measure decoding settings on the bundled GPT, the way the GPT page's default was chosen.

For each candidate it prints, over several seeds, the share of word 4-grams that repeat (the page's default must stay
under 20%) and, when the training corpus is at hand, the share of words that are real Shakespeare words:

    .venv/bin/python scripts/measure_decoding.py --seeds 20 --tokens 48 200
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from playground.generation import decode, lesson  # noqa: E402
from playground.generation.repetition import repeated_ngram_share, words  # noqa: E402
from playground.models import load_model  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "tinyshakespeare.txt"
GREEDY = decode.Settings()
CANDIDATES = {
    "greedy": GREEDY,
    "greedy, penalty 1.2": replace(GREEDY, repetition_penalty=1.2),
    "sampling T 1": decode.Settings(do_sample=True),
    "sampling T 0.8": decode.Settings(do_sample=True, temperature=0.8),
    "T 0.8, k 40, penalty 1.2": decode.Settings(do_sample=True, temperature=0.8, top_k=40, repetition_penalty=1.2),
    "the page's default": lesson.DEFAULT,
    "T 0.7, k 20, p 0.9, penalty 1.2": replace(lesson.DEFAULT, top_p=0.9),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tokens", type=int, nargs="+", default=[48, 200])
    args = parser.parse_args()
    torch.set_num_threads(1)
    loaded = load_model("gpt")
    tok, model = loaded.tokenizer, loaded.model
    prompt, _ = lesson.default_prompt(loaded)
    lexicon = set(words(CORPUS.read_text())) if CORPUS.exists() else None

    def text_of(settings: decode.Settings) -> str:
        out = decode.generate(model, decode.prepare(settings, tok, model), tok.eos_token_id)
        return tok.decode(out.sequences[0][: out.prompt_len + out.lengths[0]], skip_special_tokens=True)

    for length in args.tokens:
        print(f"--- {length} new tokens from {prompt!r}, {args.seeds} seeds ---")
        for name, candidate in CANDIDATES.items():
            seeds = range(args.seeds) if candidate.do_sample else [0]
            texts = [text_of(replace(candidate, prompt=prompt, max_new_tokens=length, seed=s)) for s in seeds]
            repeats = [repeated_ngram_share(t) for t in texts]
            line = f"{name:34} repeated 4-grams mean {statistics.mean(repeats):.3f} max {max(repeats):.3f}"
            if lexicon is not None:
                real = [sum(w in lexicon for w in words(t)) / max(1, len(words(t))) for t in texts]
                line += f" | real words mean {statistics.mean(real):.3f}"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
