"""Link values: a shared link carries every setting as text, and people edit links by hand.

Each function here is a *cast*: text in, the value out, or a ValueError saying what is wrong with the text. A page
never casts a link value itself; it hands a cast to `ui.state.PageState`, which falls back to the setting's default
and shows a warning naming the parameter and the value. That is the one policy: nothing clamps silently, nothing
crashes on a hand-edited link.
"""

from __future__ import annotations

import math
import re
import unicodedata


def parse_bool(text: str) -> bool:
    lowered = str(text).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def finite(text: str) -> float:
    """Any ordinary number; nan and inf are refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def within(low, high, kind=float):
    """A number between `low` and `high`, as a widget bounded by them would take it: out of range, the page warns
    and uses its default instead of the widget refusing the value with an exception."""

    def cast(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}…{high}")
        return value

    return cast


def one_of(options):
    """One of `options`, named in the link as it is written (`str(option)`)."""
    by_text = {str(option): option for option in options}

    def cast(text: str):
        if text not in by_text:
            raise ValueError(f"choose one of {', '.join(by_text)}")
        return by_text[text]

    return cast


def positions(text: str) -> list[int]:
    """Token positions, comma-separated (`3,7`); an empty text is no position."""
    return [int(p) for p in str(text).split(",") if p.strip()]


# ---- quoting a link's or a text box's value back in a message --------------------------------------------------
# Streamlit renders every message as GitHub-flavoured markdown. A value pasted between plain backticks breaks out at
# its first backtick, and then `[text](url)` is a live link and `![t](url)` an image the browser fetches; a newline
# starts new blocks; a bare `http://…` is linked by GFM even when its characters are backslash-escaped. So a value
# from a link or a text box reaches a message only through `quoted` (a code span: nothing inside one is markdown),
# and the rest of a message that may carry such text through `plain` or `explained`.

QUOTE_LIMIT = 60  # characters of a value a message repeats: a 100,000-character link is named, not printed
_LINE_BREAKS = {"Cc", "Zl", "Zp"}  # control characters, and Unicode's line and paragraph separators
# What markdown reads anywhere in a line: escapes, code, emphasis, strikethrough, links and images, autolinks and
# HTML, entities, Streamlit's math ($) and directives (:red[…], :material/…:), table cells. Anything else is only
# active at the start of a line (#, >, -, +, 1.), and `_BLOCK_START` escapes that.
_INLINE = re.compile(r"([\\`*_~\[\]!<>&$|]|:(?=\S))")  # a colon before a space starts no directive
_BLOCK_START = re.compile(r"^(\s*)([#+=-])|^(\s*\d{1,9})([.)])(?=\s|$)")  # a heading, a list item, a rule
_AUTOLINK = re.compile(r"(?i)(?<=www)(?=\.)|(?<=https)(?=:)|(?<=http)(?=:)|(?<=mailto)(?=:)|(?=@)")
_WORD_JOINER = "\u2060"  # invisible: splits what GFM would turn into a link (www., http:, @) without showing


def shortened(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The first `limit` characters of `text`, and "…" when there were more."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _visible(text: str) -> str:
    """Line breaks and control characters written as escapes (`\\n`), so a value stays on its line."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _LINE_BREAKS else ch for ch in text
    )


def quoted(value, limit: int = QUOTE_LIMIT, *, prefix: str = "") -> str:
    """`value` as an inline code span that shows it as typed, whatever it holds. Per CommonMark, the fence is one
    backtick longer than the longest run of backticks inside, and a space pads a value that starts or ends with a
    backtick. A value longer than `limit` is cut there, and its length is said. `prefix` (a link's `name=`) goes
    inside the span, uncounted."""
    text = str(value)
    shown = _visible(prefix + shortened(text, limit)) or " "
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", shown)), default=0))
    if shown[0] == "`" or shown[-1] == "`" or (shown[0] == shown[-1] == " " and shown.strip()):
        shown = f" {shown} "  # CommonMark strips one space from each side of such a span
    length = f" ({len(text):,} characters)" if len(text) > limit else ""
    return f"{fence}{shown}{fence}{length}"


def plain(text, limit: int = 3 * QUOTE_LIMIT) -> str:
    """`text` as prose that markdown leaves alone: what markdown reads escaped, line breaks written as escapes, and
    what GFM would link by itself (www., http:, @) split by an invisible word joiner, since GFM links a bare URL
    even when its characters are escaped. Slashes, dots and dashes stay as they are, so a path reads as a path."""
    text = _AUTOLINK.sub(_WORD_JOINER, _visible(shortened(str(text), limit)))
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}", text)


def explained(reason, value) -> str:
    """An error's `reason` for refusing `value`, as prose for a message that quotes the value already: Python's own
    reasons repeat it ("could not convert string to float: 'abc'"), so that repeat is dropped or becomes "it". A
    short number or word is left where it is ("500 is outside 0…9")."""
    reason, value = str(reason), str(value)
    if value:
        found = re.escape(repr(value))
        if len(value) > 12 or not re.fullmatch(r"[\w.+-]+", value):
            found += f"|{re.escape(value)}"
        reason = re.sub(rf"[:,]?\s*(?:got\s+)?(?:{found})\s*$", "", reason)
        reason = re.sub(found, "it", reason)
    return plain(reason.strip() or "it can't be read")
