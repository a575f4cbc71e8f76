"""How much does watching generation cost? The GPT page's instrumented generation against bare `model.generate`.

Both run side by side in this one process, on the same model, prompt and settings, alternating rounds so that load
from other processes hits both alike. "Instrumented" is exactly what the page does: our decoding loop on a thread,
text streamed through TextIteratorStreamer and consumed here, the probability and entropy of every step recorded.
"Bare" is `model.generate(...)` with the same arguments and nothing recorded. Target: instrumented at most 15% slower.

    .venv/bin/python bench/bench_generation.py                 # bundled model + a gpt2-sized random model
    .venv/bin/python bench/bench_generation.py --rounds 7 --tokens 100 --threads 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.generation.decode import Settings, StreamingRun, generate_kwargs, prepare  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_SLOWDOWN = 0.15
NO_EOS = None  # never stop early: both sides generate exactly --tokens tokens


def models():
    """The bundled GPT if it is there, and a model with gpt2's exact shape (124M parameters, random weights: the
    speed of a forward pass does not depend on the values of the weights)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

    bundled = ROOT / "assets" / "models" / "shakespeare-gpt"
    if (bundled / "config.json").exists():
        tok = AutoTokenizer.from_pretrained(bundled)
        yield (
            "bundled shakespeare-gpt",
            AutoModelForCausalLM.from_pretrained(bundled, attn_implementation="eager").eval(),
            tok,
            "ROMEO:",
        )
    else:
        print(f"(no bundled model at {bundled}; skipping it)")
        tok = None
    if tok is None:
        from tokenizers import ByteLevelBPETokenizer
        from transformers import GPT2TokenizerFast

        bpe = ByteLevelBPETokenizer()
        bpe.train_from_iterator(
            ["Once upon a time there was a model."] * 10, vocab_size=300, special_tokens=["<|endoftext|>"]
        )
        tok = GPT2TokenizerFast(tokenizer_object=bpe._tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>")
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50257, eos_token_id=None, bos_token_id=None)  # gpt2 small: 12 layers, 768 wide
    gpt2_shape = GPT2LMHeadModel(config).eval()
    gpt2_shape.config._attn_implementation = "eager"
    yield "gpt2-sized (124M, random weights)", gpt2_shape, tok, "Once upon a time"


def instrumented(model, tok, prepared, eos):
    run = StreamingRun(model, tok, prepared, eos)
    text = "".join(run)  # what st.write_stream does with it
    result = run.result()
    assert len(text) >= 0 and result.chosen_probs.shape[1] == result.new_tokens.shape[1]
    return result.new_tokens.shape[1]


def bare(model, prepared, eos):
    ids = prepared.input_ids
    out = model.generate(ids, attention_mask=torch.ones_like(ids), **generate_kwargs(prepared.settings, eos))
    return out.shape[1] - ids.shape[1]


def measure(fn, rounds):
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        n = fn()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates), n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a busy 2-core box)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {args.threads} thread(s), {args.tokens} new tokens, "
        f"median of {args.rounds} rounds\n"
    )
    header = (
        f"{'model':36} {'decoding':9} {'instrumented tok/s':>19} {'bare generate tok/s':>20} {'ratio':>6} {'slower':>7}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, model, tok, prompt in models():
        for label, extra in (("greedy", {}), ("sampling", dict(do_sample=True, temperature=0.8, top_k=50, top_p=0.95))):
            prepared = prepare(Settings(prompt=prompt, max_new_tokens=args.tokens, seed=0, **extra), tok, model)
            with torch.no_grad():
                bare(model, prepared, NO_EOS), instrumented(model, tok, prepared, NO_EOS)  # warm-up
                rates = {"instrumented": [], "bare": []}
                for _ in range(args.rounds):  # alternate so background load hits both alike
                    sides = (
                        ("instrumented", lambda m=model, t=tok, p=prepared: instrumented(m, t, p, NO_EOS)),
                        ("bare", lambda m=model, p=prepared: bare(m, p, NO_EOS)),
                    )
                    for side, fn in sides:
                        rate, n = measure(fn, 1)
                        assert n == prepared.settings.max_new_tokens
                        rates[side].append(rate)
            ours, theirs = statistics.median(rates["instrumented"]), statistics.median(rates["bare"])
            slower = theirs / ours - 1
            worst = max(worst, slower)
            print(f"{name:36} {label:9} {ours:19.1f} {theirs:20.1f} {ours / theirs:6.2f} {slower:+7.1%}")
    verdict = "meets" if worst <= TARGET_SLOWDOWN else "MISSES"
    print(
        f"\nworst slowdown {worst:+.1%}: {verdict} the target of at most {TARGET_SLOWDOWN:.0%} slower than bare "
        "generate"
    )


if __name__ == "__main__":
    main()
