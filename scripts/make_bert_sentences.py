"""Write assets/bert/sentences.txt: consecutive sentences from the held-out end of the corpus, for the BERT page.

The next-sentence demo needs real pairs (a sentence and the one that follows it in the play) and random sentences to
swap in. They come from the last 10% of the corpus, the part the bundled BERT is validated on and never trained on,
so the IsNext probability is not a memorised answer. Only a few hundred sentences are written; the corpus itself is
not part of the project.

    .venv/bin/python scripts/make_bert_sentences.py [corpus.txt] [--count 400]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "tinyshakespeare.txt"
OUT = ROOT / "assets" / "bert" / "sentences.txt"
SPEAKER = re.compile(r"^[A-Z][A-Za-z' ]*:$")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def held_out(text: str, fraction: float = 0.1) -> str:
    """The last `fraction` of the text, starting at a line start (the same split the training script uses)."""
    cut = int(len(text) * (1.0 - fraction))
    newline = text.find("\n", cut)
    return text[newline + 1 :] if newline != -1 else text[cut:]


def speeches(text: str) -> list[str]:
    """Each speaker's turn as one line of text, speaker names dropped."""
    turns, current = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line or SPEAKER.match(line):
            if current:
                turns.append(" ".join(current))
                current = []
            continue
        current.append(line)
    if current:
        turns.append(" ".join(current))
    return turns


def sentences(text: str, min_words: int = 4, max_words: int = 30) -> list[str]:
    found = []
    for turn in speeches(text):
        for sentence in SENTENCE_END.split(turn):
            words = sentence.split()
            if min_words <= len(words) <= max_words and sentence[-1] in ".?!":
                found.append(sentence)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--count", type=int, default=400)
    args = parser.parse_args()
    chosen = sentences(held_out(Path(args.corpus).read_text(encoding="utf-8")))[: args.count]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    print(f"wrote {len(chosen)} sentences to {OUT}")


if __name__ == "__main__":
    main()
