"""The home page introduces the playground and says what it runs on."""

import torch
import transformers
from streamlit.testing.v1 import AppTest

from app import PAGES, ROOT


def test_home_shows_a_card_for_each_page_that_exists_and_the_runtime():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert torch.__version__ in text and transformers.__version__ in text
    assert "CPU" in text or "CUDA" in text
    present = [title for group in PAGES.values() for path, title, *_ in group if (ROOT / path).exists()]
    assert len(at.get("page_link")) == len(present)


def test_missing_pages_are_left_out_of_the_navigation():
    from app import available_pages

    listed = {path for _, path, *_ in available_pages()}
    for group in PAGES.values():
        for path, *_ in group:
            assert (path in listed) == (ROOT / path).exists()


def test_the_home_page_renders_without_importing_torch_and_says_how_many_cpus_torch_uses():
    """A Space waking up shows its home page before paying for torch's import."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)\n"
        "print(' '.join(m.value for m in at.markdown))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    imported, shown = out.stdout.split("\n", 1)
    assert imported == "False False"
    assert "usable: affinity allows" in shown and f"torch** {torch.__version__}" in shown
    assert "1 at a time, in the order asked" in shown and "0 running and 0 waiting now" in shown
