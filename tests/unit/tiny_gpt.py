"""A tiny random GPT-2 and a byte-level BPE tokenizer, built in seconds, for tests that must not download anything."""

from pathlib import Path

import pytest
import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

TEXT = (
    "ROMEO: But, soft! what light through yonder window breaks? It is the east, and Juliet is the sun. "
    "JULIET: O Romeo, Romeo! wherefore art thou Romeo? Deny thy father and refuse thy name. "
    "Once upon a time there was a little model that learned to write one token at a time. "
) * 4


def tiny_tokenizer() -> GPT2TokenizerFast:
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([TEXT], vocab_size=320, min_frequency=1, special_tokens=["<|endoftext|>"])
    return GPT2TokenizerFast(
        tokenizer_object=bpe._tokenizer, bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>"
    )


def tiny_gpt(tokenizer, n_positions: int = 64, seed: int = 0) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=n_positions,
        n_embd=32,
        n_layer=2,
        n_head=4,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = GPT2LMHeadModel(config).eval()
    model.config._attn_implementation = "eager"
    # A random model is almost uniform; larger weights give peaked, more text-like distributions to test against.
    with torch.no_grad():
        model.lm_head.weight.mul_(4)
    return model


def save_tiny(folder: Path, n_positions: int = 64) -> Path:
    tok = tiny_tokenizer()
    model = tiny_gpt(tok, n_positions)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models on a shared 2-core machine run ~20x faster single-threaded (no thread contention)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
