"""Link values: each cast takes the text of a link and gives the value, or says what is wrong with it."""

import math
import re

import pytest
from markdown_it import MarkdownIt

from playground.url_values import QUOTE_LIMIT, explained, finite, one_of, parse_bool, plain, positions, quoted, within

# ---- what a link could smuggle into a message, and how a test sees whether it did ---------------------------------
HOST = "127.0.0.1:9"  # every payload points here; nothing the pages write themselves does
ISSUE_PAYLOAD = f"` [Click here to log in](http://{HOST}/phish) ![t](http://{HOST}/track.png) `"  # issue 19's link
PAYLOAD = (  # the short attacks first, so they are still inside the 60 characters a message quotes
    f"``[a](http://{HOST}/l)![i](http://{HOST}/i.png)<img src=http://{HOST}/h>"
    f" <http://{HOST}/auto> http://{HOST}/bare www.{HOST} me@{HOST}.org\n\n[n](http://{HOST}/n) `"
)
PAYLOADS = [ISSUE_PAYLOAD, PAYLOAD, f"\n\n[n](http://{HOST}/n)", f"`[a](http://{HOST}/l)" + "`" * 80]
# GFM turns a bare address into a link by itself, after escapes are read (mdast-util-gfm-autolink-literal's rules)
_GFM_AUTOLINK = re.compile(r"(?i)(?:https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")
_MARKDOWN = MarkdownIt("commonmark")


def injected(body: str) -> list[str]:
    """Whatever in a rendered markdown `body` would reach HOST: a link, an image, raw HTML, or a bare address GFM
    links by itself. The page's own links point elsewhere, so they are not counted."""
    found, tokens = [], list(_MARKDOWN.parse(body))
    while tokens:
        token = tokens.pop()
        tokens.extend(token.children or [])
        target = f"{token.attrs.get('href', '')} {token.attrs.get('src', '')}"
        if token.type in ("link_open", "image") and HOST in target:
            found.append(f"{token.type} {target.strip()}")
        elif token.type in ("html_inline", "html_block") and HOST in token.content:
            found.append(f"{token.type} {token.content}")
        elif token.type == "text":
            found += [f"autolink {m[0]}" for m in _GFM_AUTOLINK.finditer(token.content) if "127.0.0.1" in m[0]]
    return found


def rendered_text(body: str) -> str:
    """What a reader sees of `body`: its text and code, escapes read, without the invisible word joiners."""
    inline = [t for t in _MARKDOWN.parse(body) if t.type == "inline"]
    seen = [c.content for t in inline for c in t.children if c.type in ("text", "code_inline")]
    return "".join(seen).replace("\u2060", "")


def code_spans(body: str) -> list[str]:
    inline = [t for t in _MARKDOWN.parse(body) if t.type == "inline"]
    return [c.content for t in inline for c in t.children if c.type == "code_inline"]


def test_booleans_are_read_the_ways_people_type_them():
    assert [parse_bool(t) for t in ("1", "true", "Yes", " on ")] == [True] * 4
    assert [parse_bool(t) for t in ("0", "false", "NO", "off")] == [False] * 4
    with pytest.raises(ValueError, match="true or false"):
        parse_bool("maybe")


def test_numbers_are_checked_against_the_widgets_bounds_not_clamped():
    assert within(0, 10, int)("7") == 7 and within(0.0, 2.0)("1.5") == 1.5
    with pytest.raises(ValueError, match="outside 1…16"):
        within(1, 16, int)("99")
    with pytest.raises(ValueError):
        within(1, 16, int)("many")
    assert finite("-2.5") == -2.5
    for text in ("nan", "inf", "-inf"):
        with pytest.raises(ValueError, match="not a finite number"):
            finite(text)
    assert not math.isnan(finite("0"))


def test_a_choice_is_one_of_the_options_written_as_they_are_shown():
    assert one_of(["greedy", "sampling"])("sampling") == "sampling"
    assert one_of(range(12))("3") == 3  # an option that is not text is named in the link as it is written
    with pytest.raises(ValueError, match="choose one of greedy, sampling"):
        one_of(["greedy", "sampling"])("beam")


def test_positions_are_comma_separated_and_may_be_none():
    assert positions("3,7, 9") == [3, 7, 9] and positions("") == []
    with pytest.raises(ValueError):
        positions("3,x")


# ---- quoting a value back: a link's text never becomes markdown -------------------------------------------------
def test_the_check_sees_each_payload_break_out_of_plain_backticks():
    """The old messages pasted a value between single backticks; each payload then reaches HOST."""
    for payload in PAYLOADS:
        assert injected(f"The link's `x={payload}` could not be used."), payload
    assert injected(f"see http://{HOST}/bare") and injected(f"write to me@{HOST}.org")  # GFM links these by itself


@pytest.mark.parametrize("value", PAYLOADS + ["`", "a`b", " `x` ", "  ", "plain"], ids=repr)
def test_a_quoted_value_is_one_code_span_that_reads_as_typed(value):
    body = f"The link's {quoted(value)} could not be used."
    assert injected(body) == []
    typed = value.replace("\n", "\\n")  # a line break is shown as \n, so the value stays on its line
    shown = typed if len(value) <= QUOTE_LIMIT else typed[:QUOTE_LIMIT] + "…"
    assert code_spans(body) == [shown]  # no breaking out: the whole value, and nothing after it, is the span
    assert code_spans(quoted("")) == [" "]  # an empty value is still a span, not two stray backticks


def test_a_long_value_is_quoted_once_cut_short_with_its_length():
    value = "x" * 100_000
    shown = quoted(value)
    assert shown == f"`{'x' * QUOTE_LIMIT}…` (100,000 characters)"
    assert quoted(value, prefix="x=") == f"`x={'x' * QUOTE_LIMIT}…` (100,000 characters)"  # the value's own length
    assert (
        explained(f"invalid literal for int() with base 10: {value!r}", value)
        == "invalid literal for int() with base 10"
    )


@pytest.mark.parametrize("text", PAYLOADS + ["# a heading", "- an item", "1. an item", "a :red[directive]"])
def test_plain_text_is_prose_with_nothing_markdown_reads(text):
    body = f"{plain(text)} and more"
    assert injected(body) == []
    tokens = list(_MARKDOWN.parse(body))
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]  # no heading, list or break
    assert [c.type for c in tokens[1].children] == ["text"]  # no emphasis, code or link either
    assert plain("/no/such/run") == "/no/such/run"  # a path reads as a path


def test_a_reason_does_not_repeat_the_value_its_message_quotes():
    value = f"[a](http://{HOST}/l)"
    assert explained(f"could not convert string to float: {value!r}", value) == "could not convert string to float"
    assert explained(f"{value!r} is not a number", value) == "it is not a number"
    assert explained("expected true or false, got 'maybe'", "maybe") == "expected true or false"
    assert explained("500 is outside 0…9", "500") == "500 is outside 0…9"  # a short number reads best in place
    assert explained("choose one of none, selective, full", "x") == "choose one of none, selective, full"
    assert explained(f"{'9' * 100} is not a finite number", "9" * 100) == "it is not a finite number"
