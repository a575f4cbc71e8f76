"""The words of the Tokenizers page, kept beside the code they explain rather than inside the page file."""

INTRO = (
    "A language model never sees letters. A **tokenizer** cuts the text into pieces from a fixed vocabulary and "
    "hands the model their **ids**, one number per piece. GPT-2 uses **byte-level BPE**: it works on bytes, so it can "
    "encode anything, and a space belongs to the next word, shown as `Ġ` (a newline is `Ċ`). BERT uses "
    "**WordPiece**: it splits at spaces and punctuation first; a piece *inside* a word starts with `##`, and a word "
    "it has no pieces for becomes `[UNK]`. Both vocabularies were learned from text: frequent words are one token, "
    "rare words are cut into several."
)
DEFAULT_TEXT = "ROMEO: But soft, what light through yonder window breaks?\nTokenizers dislike unfamiliar words."
EXAMPLES = {
    "Shakespeare": DEFAULT_TEXT,
    "emoji, Greek, Japanese": "Hello 🙂 λόγος 東京",
    "numbers and code": "x = 12345 + 678; print(x)",
    "a long made-up word": "Antidisestablishmentarianism is unbelievably long.",
}
TYPE_SOMETHING = "Type some text above to see it tokenized."


# Messages with named placeholders, filled in by the lesson.
UNKNOWN = (
    "{n} piece(s) became `{unk}`: this vocabulary has no pieces for them, so the model cannot tell what was written "
    "there."
)
BYTES = (
    "{chars} non-ASCII character(s) take {n_bytes} UTF-8 bytes; byte-level BPE encodes them byte by byte when it has "
    "no merged piece, so nothing is ever unknown. Pieces like `ð` or `Ł` are such bytes, written in GPT-2's printable "
    "byte alphabet. A box gathers the pieces that make one character, with each piece's byte in hex under its id: "
    "alone, none of them is a character at all."
)
