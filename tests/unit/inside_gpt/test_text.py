"""A token quoted in a sentence stays the text it is: the vocabulary holds markdown ("**", "](", "`", "$")."""

import pytest
from markdown_it import MarkdownIt

from playground.inside_gpt.text import as_text, next_token


def rendered(markdown: str) -> str:
    """What a reader sees: the text of every inline token, with no markup, link or HTML left."""
    tokens = MarkdownIt("commonmark").parseInline(markdown)[0].children
    assert all(t.type in ("text", "softbreak") for t in tokens), [t.type for t in tokens]
    return "".join(t.content for t in tokens)


@pytest.mark.parametrize("piece", ["**", "](http://x.example)", "`", "$x$", "<b>", "_a_", "[1]", "# h", "\\", "a|b"])
def test_a_tokens_text_reads_as_itself(piece):
    assert rendered(as_text(piece)) == piece


def test_the_next_token_sentence_shows_the_tokens_as_typed_and_only_its_own_words_bold():
    sentence = next_token("2 *", {"token": "**", "probability": 0.25}, last=False)
    html = MarkdownIt("commonmark").render(sentence)
    assert "After token ‘2 *’, the most likely next token is <strong>'**'</strong>, with probability 25.0%." in html
