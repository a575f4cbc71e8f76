"""Token chips: each token a coloured box with its vocabulary piece on top and its id below.

Colours cycle so neighbours differ; the colour says "a new token starts here", not anything about the token.
Special tokens get a dashed outline and unknown tokens a red one, so both stand out in a projector-sized view.
Whitespace inside pieces is made visible (· for a space, ⏎ for a newline) when a tokenizer keeps it raw.
Byte pieces that only make a character together are boxed under that character, each with its byte in hex, so 我
reads as one character of 3 bytes, in 3 tokens, rather than as three strange letters (æ Ī ĳ).
"""

from __future__ import annotations

from html import escape

from playground.tokenization.tokens import CharacterGroup, Tokenized

PALETTE = ["#cfe8ff", "#ffe1b3", "#d7f5d0", "#f7d4f0", "#fff3a8", "#d9d4ff", "#c8f0ee", "#ffd1d1"]
_VISIBLE = str.maketrans({" ": "·", "\n": "⏎", "\t": "⇥"})


def legend_html() -> str:
    items = [
        (_chip("piece", "id", PALETTE[0], ""), "one token (colours only separate neighbours)"),
        (_chip("[CLS]", "id", "#eeeeee", "border:2px dashed #555;"), "special token, added by the tokenizer"),
        (_chip("[UNK]", "id", "#eeeeee", "border:2px solid #d33;"), "unknown: what was written is lost"),
        (
            _group("é", [_chip("Ã", "id · c3", PALETTE[1], ""), _chip("©", "id · a9", PALETTE[2], "")], 2),
            "pieces that make one character together, each one UTF-8 byte",
        ),
    ]
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:4px 18px;align-items:center;font-size:0.9rem">'
        + "".join(
            f'<span style="display:inline-flex;align-items:center;gap:6px">{chip}<span>{text}</span></span>'
            for chip, text in items
        )
        + "</div>"
    )


def _chip(piece: str, token_id: str, color: str, extra: str, title: str = "") -> str:
    return (
        f'<span title="{escape(title)}" style="display:inline-flex;flex-direction:column;align-items:center;'
        f"margin:2px;padding:2px 5px;border-radius:6px;background:{color};{extra}"
        f'font-family:ui-monospace,Menlo,Consolas,monospace;vertical-align:top">'
        f'<span style="font-size:1.05rem;white-space:pre;color:#111">{escape(piece)}</span>'
        f'<span style="font-size:0.72rem;color:#555;white-space:pre">{escape(token_id)}</span></span>'
    )


def _group(characters: str, chips: list[str], n_bytes: int, title: str = "") -> str:
    label = f"{characters.translate(_VISIBLE)} · {n_bytes} bytes"
    return (
        f'<span title="{escape(title)}" style="display:inline-flex;flex-direction:column;align-items:center;'
        'margin:2px;padding:1px 2px 2px;border:2px solid #444;border-radius:8px;vertical-align:top">'
        f'<span style="font-size:0.95rem;font-weight:600;color:#111;white-space:pre">{escape(label)}</span>'
        f'<span style="display:inline-flex">{"".join(chips)}</span></span>'
    )


def tokens_html(tokenized: Tokenized) -> str:
    """Chips in reading order; hovering a chip shows the characters of the input it covers."""
    chips = []
    for i, t in enumerate(tokenized.tokens):
        if t.special:
            color, extra, covers = "#eeeeee", "border:2px dashed #555;", "added by the tokenizer, not in the text"
        elif t.unknown:
            color, extra, covers = "#eeeeee", "border:2px solid #d33;", f"unknown; stands for {t.text!r}"
        else:
            color, extra, covers = PALETTE[i % len(PALETTE)], "border:1px solid #0000;", f"covers {t.text!r}"
        piece = t.piece if t.special else t.piece.translate(_VISIBLE)
        chips.append(_chip(piece, str(t.id), color, extra, f"token {i}: id {t.id}, {covers}"))
    for group in reversed(tokenized.character_groups()):
        chips[group.first : group.last + 1] = [_boxed(tokenized, group)]
    return f'<div style="line-height:1.2;word-break:break-all">{"".join(chips)}</div>'


def _boxed(tokenized: Tokenized, group: CharacterGroup) -> str:
    inner = []
    for i in range(group.first, group.last + 1):
        t = tokenized.tokens[i]
        hex_bytes = t.raw_bytes.hex(" ") if t.raw_bytes is not None else ""
        inner.append(
            _chip(
                t.piece.translate(_VISIBLE),
                f"{t.id} · {hex_bytes}",
                PALETTE[i % len(PALETTE)],
                "",
                f"token {i}: id {t.id}, UTF-8 byte(s) {hex_bytes} of {group.text!r}",
            )
        )
    pieces = group.last - group.first + 1
    return _group(group.text, inner, group.n_bytes, f"{group.text!r}: {group.n_bytes} UTF-8 bytes in {pieces} tokens")
