"""bertviz's head view and model view as self-contained HTML that renders with no internet.

bertviz (Vig, 2019, "A Multiscale Visualization of Attention in the Transformer Model",
https://github.com/jessevig/bertviz) writes a page that pulls require.js, d3 and jQuery from a CDN. Offline, in a
classroom behind a firewall, that page is an empty box. We keep bertviz's own Python (it validates shapes and builds
the `params` dict) and its own JavaScript, and swap the loader: d3 and jQuery come from `assets/vendor/` (copied from
their npm packages, see the README there) and are inlined, and a five-line `requirejs` shim hands them to bertviz's
callback. No `<script src>` is left in the document.

Public API (also used by the GPT page; keep it stable):

    head_view_html(attentions, tokens, *, sentence_b_start=None, layer=None, heads=None, max_tokens=64) -> str
    model_view_html(attentions, tokens, *, sentence_b_start=None, display_mode="light", max_tokens=64) -> str
    cap_for_bertviz(attentions, tokens, max_tokens=64) -> (attentions, tokens, n_total)

`attentions` is what a transformers model returns with `output_attentions=True` (load it with
`attn_implementation="eager"`, sdpa returns none): one tensor per layer of shape (1, heads, seq, seq). Lists of numpy
arrays and (heads, seq, seq) tensors are accepted too. Both functions return a whole HTML document for `st.iframe`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import torch

from playground import ASSETS

VENDOR_DIR = ASSETS / "vendor"
D3_FILE = VENDOR_DIR / "d3-5.16.0.min.js"  # bertviz 1.4.1 asks for d3 v5 (d3.scaleOrdinal, d3.schemeCategory10)
JQUERY_FILE = VENDOR_DIR / "jquery-3.8.0.min.js"  # bertviz asks for 2.0; it only uses selectors, .on, .append, .val
# Where the app serves those two files itself: the project's `static` folder (a link to assets/vendor) under Streamlit's
# static route (`server.enableStaticServing` in .streamlit/config.toml). Relative, so a server's base URL path works:
# an iframe's srcdoc document resolves it against the page's own address.
SERVED_AT = "app/static/"

# bertviz draws one SVG line per token pair per head; past ~64 tokens the browser stalls and the labels overlap.
MAX_BERTVIZ_TOKENS = 64

# bertviz's own JS calls `require.config({paths: CDN urls})` then `requirejs(['jquery', 'd3'], callback)`.
# The shim resolves those two names to the globals the inlined libraries just defined.
_REQUIRE_SHIM = """
window.requirejs = function (names, callback) {
  var modules = {jquery: window.jQuery, d3: window.d3};
  return callback.apply(null, names.map(function (name) { return modules[name]; }));
};
window.require = window.requirejs;
window.require.config = function () {};
"""

# bertviz's model view is a fixed 970 px wide SVG; give it a viewBox that follows its width/height attributes so
# CSS can shrink it to the column (a Streamlit page or a phone) instead of cutting off the last heads.
_FIT_TO_WIDTH = """
<script>
(function () {
  function fit() {
    document.querySelectorAll('#vis svg').forEach(function (svg) {
      var w = svg.getAttribute('width'), h = svg.getAttribute('height');
      if (w && h) { svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h); }
      svg.style.maxWidth = '100%';
      svg.style.height = 'auto';
    });
  }
  new MutationObserver(fit).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                    attributeFilter: ['width', 'height']});
  fit();
})();
</script>
"""

_CDN_SCRIPT_TAG = re.compile(r"<script\s+src=[\"'][^\"']*[\"']\s*>\s*</script>", re.IGNORECASE)
_REQUIRE_CONFIG = re.compile(r"require\.config\(\{.*?\}\);", re.DOTALL)
_SCRIPT_OPEN = '\n<script type="text/javascript">\n'
_PARAMS_AT = "const params = "
_PARAMS_MARKER = "const params = PYTHON_PARAMS;"


def _as_layer_list(attentions) -> list[torch.Tensor]:
    """One float tensor (1, heads, seq, seq) per layer, whatever array type came in."""
    if attentions is None or len(attentions) == 0:
        raise ValueError(
            "No attention weights were given. Run the model with output_attentions=True and "
            'attn_implementation="eager" (the default sdpa attention returns none).'
        )
    layers = []
    for index, layer in enumerate(attentions):
        if layer is None:
            raise ValueError(
                f"Layer {index} has no attention weights: load the model with attn_implementation='eager'."
            )
        tensor = torch.as_tensor(layer).detach().to(dtype=torch.float32, device="cpu")
        if tensor.dim() == 3:
            tensor = tensor.unsqueeze(0)
        if tensor.dim() != 4 or tensor.shape[0] != 1 or tensor.shape[-1] != tensor.shape[-2]:
            raise ValueError(
                f"Layer {index} attention has shape {tuple(tensor.shape)}; expected (1, heads, seq, seq) "
                "for a single sequence."
            )
        layers.append(tensor)
    return layers


def cap_for_bertviz(attentions, tokens: Sequence[str], max_tokens: int = MAX_BERTVIZ_TOKENS):
    """Keep the first `max_tokens` positions. Returns (layers, tokens, n_total) so callers can say what was cut."""
    layers = _as_layer_list(attentions)
    tokens = [str(t) for t in tokens]
    seq = layers[0].shape[-1]
    if len(tokens) != seq:
        raise ValueError(f"Attention has {seq} positions but {len(tokens)} tokens were given: they must match.")
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}.")
    n_total = len(tokens)
    if n_total > max_tokens:
        layers = [layer[:, :, :max_tokens, :max_tokens] for layer in layers]
        tokens = tokens[:max_tokens]
    return layers, tokens, n_total


def _vendored_scripts(served: bool) -> str:
    """d3 and jQuery inlined (a document that stands alone), or `served` by the app: then each learner's browser
    fetches their 330 kB once and keeps them, instead of every drawing of every view carrying them again."""
    if served:
        tags = [f'<script src="{SERVED_AT}{file.name}"></script>' for file in (D3_FILE, JQUERY_FILE)]
        return "\n".join([*tags, f"<script>\n{_REQUIRE_SHIM}\n</script>"])
    d3 = D3_FILE.read_text(encoding="utf-8")
    jquery = JQUERY_FILE.read_text(encoding="utf-8")
    return "\n".join(f"<script>\n{source}\n</script>" for source in (d3, jquery, _REQUIRE_SHIM))


def _safe_json(params) -> str:
    """JSON that cannot end the <script> element early, whatever the tokens are (a token may be '</script>')."""
    return json.dumps(params).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _offline_document(
    bertviz_html: str, js_file: str, note: str | None, background: str, fit_width: bool = False, served: bool = False
) -> str:
    """Rebuild bertviz's page as a standalone document: its markup, its JS, d3/jQuery inlined, no CDN.

    bertviz pastes the params JSON into its JS with str.replace, which also fills a comment and leaves user tokens
    unescaped; so we take only the params back out of its output (bertviz still validates and builds them) and
    paste them into its pristine JS file ourselves.
    """
    markup, script_open, script = bertviz_html.partition(_SCRIPT_OPEN)
    start = script.find(_PARAMS_AT)
    if not script_open or start < 0:
        raise RuntimeError("bertviz's HTML no longer has the shape this module expects; check bertviz against 1.4.1.")
    params, _ = json.JSONDecoder().raw_decode(script, start + len(_PARAMS_AT))
    from bertviz import __file__ as bertviz_init

    js = (Path(bertviz_init).parent / js_file).read_text(encoding="utf-8")
    js, n_configs = _REQUIRE_CONFIG.subn("", js)
    if n_configs != 1 or _PARAMS_MARKER not in js:
        raise RuntimeError(f"bertviz's {js_file} no longer has require.config + PYTHON_PARAMS; check it against 1.4.1.")
    js = js.replace(_PARAMS_MARKER, f"const params = {_safe_json(params)};", 1)
    body = _CDN_SCRIPT_TAG.sub("", markup) + f"\n<script>\n{js}\n</script>\n" + (_FIT_TO_WIDTH if fit_width else "")
    note_html = f'<p class="note">{_escape(note)}</p>' if note else ""
    text_color = "black" if background == "white" else "#ccc"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body {{ margin: 0; padding: 4px; background: {background}; color: {text_color}; overflow-x: auto;
         font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; }}
  .note {{ font-size: 14px; margin: 0 0 6px 0; }}
  select {{ font-size: 14px; }}
</style>
{_vendored_scripts(served)}
</head>
<body>
{note_html}
{body}
</body>
</html>
"""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut_note(shown: int, total: int) -> str | None:
    if total <= shown:
        return None
    return (
        f"Showing the first {shown} of {total} tokens: bertviz draws a line per token pair per head and slows "
        "down past that. The heatmap shows every token for one layer and head."
    )


def head_view_html(
    attentions,
    tokens: Sequence[str],
    *,
    sentence_b_start: int | None = None,
    layer: int | None = None,
    heads: Sequence[int] | None = None,
    max_tokens: int = MAX_BERTVIZ_TOKENS,
    served_scripts: bool = False,
) -> str:
    """bertviz head view (lines from each token to the tokens it attends to, one colour per head), offline.

    Hover a token to see only its lines; double-click a head colour to show that head alone. `served_scripts`: d3
    and jQuery come from the app's own server (the pages), else inlined (a file that works anywhere).
    """
    from bertviz import head_view

    layers, shown_tokens, n_total = cap_for_bertviz(attentions, tokens, max_tokens)
    if sentence_b_start is not None and not 0 < sentence_b_start < len(shown_tokens):
        sentence_b_start = None
    if layer is not None and not 0 <= layer < len(layers):
        raise ValueError(f"layer {layer} does not exist: the model has layers 0 to {len(layers) - 1}.")
    html = head_view(
        layers,
        shown_tokens,
        sentence_b_start=sentence_b_start,
        layer=layer,
        heads=list(heads) if heads is not None else None,
        html_action="return",
    ).data
    note = _cut_note(len(shown_tokens), n_total)
    return _offline_document(html, "head_view.js", note, background="white", served=served_scripts)


def model_view_html(
    attentions,
    tokens: Sequence[str],
    *,
    sentence_b_start: int | None = None,
    display_mode: str = "light",
    max_tokens: int = MAX_BERTVIZ_TOKENS,
    served_scripts: bool = False,
) -> str:
    """bertviz model view: a thumbnail of every head in every layer; click one to enlarge it. Offline; d3 and jQuery
    inlined or served as `head_view_html` says."""
    from bertviz import model_view

    if display_mode not in ("light", "dark"):
        raise ValueError(f"display_mode must be 'light' or 'dark', got {display_mode!r}.")
    layers, shown_tokens, n_total = cap_for_bertviz(attentions, tokens, max_tokens)
    if sentence_b_start is not None and not 0 < sentence_b_start < len(shown_tokens):
        sentence_b_start = None
    html = model_view(
        layers,
        shown_tokens,
        sentence_b_start=sentence_b_start,
        display_mode=display_mode,
        html_action="return",
    ).data
    background = "white" if display_mode == "light" else "black"
    note = _cut_note(len(shown_tokens), n_total)
    return _offline_document(html, "model_view.js", note, background=background, fit_width=True, served=served_scripts)
