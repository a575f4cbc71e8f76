"""How much a generated text repeats itself, as one number: the measure the page's default decoding is chosen by.

Greedy decoding from a small model falls into loops ("ROMEO: I will not be so. ROMEO: I will not be so. ..."): once a
phrase is the likeliest continuation of itself, it is chosen again and again. A loop shows up as the same run of words
coming back, so we count word n-grams (4 words by default, long enough that ordinary phrases such as "I pray you"
rarely recur in a short text, short enough to catch a loop on its second turn).
"""

from __future__ import annotations

import re
from collections import Counter

WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")  # letters, with inner apostrophes ("o'er", "thou'rt"); case is ignored


def words(text: str) -> list[str]:
    """The text's words in lower case; punctuation, digits and line breaks only separate them."""
    return WORD.findall(text.lower())


def repeated_ngram_share(text: str, n: int = 4) -> float:
    """The share of the text's word n-grams (every run of n consecutive words, overlapping) whose n-gram occurs more
    than once in the text. 0 means no run of n words comes back; a text that is one phrase over and over tends to 1.

    Each occurrence counts, so "a b c d a b c d" has five 4-grams of which two ("a b c d", twice) repeat: 0.4.
    A text of fewer than n words has no n-grams and repeats nothing: 0.
    """
    if n < 1:
        raise ValueError(f"an n-gram needs at least one word, got n={n}")
    seen = words(text)
    grams = [tuple(seen[i : i + n]) for i in range(len(seen) - n + 1)]
    if not grams:
        return 0.0
    counts = Counter(grams)
    return sum(1 for gram in grams if counts[gram] > 1) / len(grams)
