"""'The code' for the tokenizer page: the same text through the same tokenizers, in plain transformers."""

from __future__ import annotations


def tokenization_code(text: str, tokenizer_refs: list[str]) -> str:
    """tokenizer_refs: folders or hub ids, as the learner would pass them to AutoTokenizer.from_pretrained.
    The text is embedded with repr(), so any text becomes a valid Python string literal."""
    refs = ",\n    ".join(repr(r) for r in tokenizer_refs)
    return f"""from transformers import AutoTokenizer

text = {text!r}

results = {{}}
for name in [
    {refs},
]:
    tok = AutoTokenizer.from_pretrained(name)
    ids = tok(text)["input_ids"]             # adds the model's special tokens, e.g. [CLS] ... [SEP] for BERT
    tokens = tok.convert_ids_to_tokens(ids)  # the vocabulary pieces: Ġ = leading space (BPE), ## = inside a word
    results[name] = (tokens, ids)
    print(f"{{name}}: {{len(ids)}} tokens for {{len(text)}} characters")
    print(tokens)
    print(ids)
"""
