"""The text while it streams in: the prompt first, then the new text, laid out as the finished text will be."""

import html
import re

from playground.generation.figures import STREAMING_CLASS, streaming_html, tokens_html


def plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup.replace("↵<br>", "↵\n")))


def test_the_prompt_comes_first_then_the_new_text_then_a_cursor():
    markup = streaming_html("ROMEO:", "\nO, thou <art>")
    assert f'class="{STREAMING_CLASS}"' in markup
    assert plain(markup) == "ROMEO:↵\nO, thou <art>▌"  # escaped, so a token can never be read as markup
    assert markup.index("ROMEO:") < markup.index("O, thou")


def test_the_streamed_text_reads_as_the_finished_text_will():
    pieces = ["\n", "O", ",", " thou", " art"]
    finished = plain(tokens_html("ROMEO:", pieces, [0.5] * len(pieces)))
    assert plain(streaming_html("ROMEO:", "".join(pieces))) == finished + "▌"
    assert plain(streaming_html("ROMEO:", "")) == "ROMEO:▌"  # before the first token: the prompt alone
