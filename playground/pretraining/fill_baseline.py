"""A counting baseline for a masked word: how much do the two words beside the gap give away?

For a gap between words `l` and `r`, guess the word `w` that makes P(w | l) · P(r | w) largest, both counted in the
training text (a bigram model read in both directions), with Dirichlet smoothing towards word frequency so unseen
pairs are unlikely but not impossible. BERT sees the whole line; the card compares it with this reference on the very
same held-out words, so a learner can tell what the network adds to counting neighbours.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

START, END = "<s>", "</s>"


def words(line: str) -> list[str]:
    """Lower-cased words and single punctuation marks, as a learner reads the line."""
    return re.findall(r"[a-z]+|[^\sa-z]", line.lower())


class NeighbourCounts:
    def __init__(self, text: str, candidates: set[str] | None = None, smoothing: float = 1.0):
        unigrams, self.after, self.before = Counter(), defaultdict(Counter), defaultdict(Counter)
        for line in text.splitlines():
            seq = [START, *words(line), END]
            unigrams.update(seq)
            for first, second in zip(seq[:-1], seq[1:], strict=True):
                self.after[first][second] += 1
                self.before[second][first] += 1
        self.unigrams, self.smoothing, self.total = unigrams, smoothing, sum(unigrams.values())
        seen = {w for w in unigrams if w.isalpha()}
        self.candidates = sorted(seen & candidates if candidates is not None else seen)
        self.index = {w: i for i, w in enumerate(self.candidates)}
        self.counts = np.array([unigrams[w] for w in self.candidates], dtype=np.float64)
        self.prior = self._frequency(self.counts)

    def _frequency(self, count):
        """How common a word is, add-one smoothed: the prior that unseen pairs fall back on."""
        return (count + 1) / (self.total + len(self.unigrams))

    def scores(self, left: str, right: str) -> np.ndarray:
        """log P(w | left) + log P(right | w) for every candidate w."""
        s = self.smoothing
        left_then_w = np.zeros_like(self.counts)
        for w, n in self.after[left].items():
            if w in self.index:
                left_then_w[self.index[w]] = n
        w_then_right = np.zeros_like(self.counts)
        for w, n in self.before[right].items():
            if w in self.index:
                w_then_right[self.index[w]] = n
        p_w = (left_then_w + s * self.prior) / (self.unigrams[left] + s)
        p_right = (w_then_right + s * self._frequency(self.unigrams[right])) / (self.counts + s)
        return np.log(p_w) + np.log(p_right)

    def fill(self, masked_line: str, mask_token: str) -> str:
        """The best word for the first `mask_token` in the line."""
        before, after = masked_line.split(mask_token, 1)
        left, right = [START, *words(before)][-1], [*words(after), END][0]
        return self.candidates[int(np.argmax(self.scores(left, right)))]

    def accuracy(self, items: list[tuple[str, str]], mask_token: str) -> float:
        """Top-1 accuracy on (masked line, word) items, the ones `playground.bert.held_out.masked_word_items` makes."""
        return sum(self.fill(masked, mask_token) == truth for masked, truth in items) / max(1, len(items))
