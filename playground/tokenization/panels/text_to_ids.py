"""The same text through the same tokenizers, in plain transformers: tokens, then the ids a model receives.

Run it from the repository root (the bundled tokenizers are folders in assets/models/), or name hub ids instead.
"""

from transformers import AutoTokenizer

text = "ROMEO: But soft, what light through yonder window breaks?"
tokenizers = ["assets/models/shakespeare-gpt", "assets/models/shakespeare-bert"]

results = {}
for name in tokenizers:
    tok = AutoTokenizer.from_pretrained(name)
    ids = tok(text)["input_ids"]  # adds the model's special tokens, e.g. [CLS] ... [SEP] for BERT
    tokens = tok.convert_ids_to_tokens(ids)  # the vocabulary pieces: Ġ = leading space (BPE), ## = inside a word
    results[name] = (tokens, ids)
    print(f"{name}: {len(ids)} tokens for {len(text)} characters")
    print(tokens)
    print(ids)

# Byte-level BPE works on UTF-8 bytes: a character outside ASCII is 2 to 4 bytes, and may take that many tokens.
for character in dict.fromkeys(text):
    if ord(character) > 127:
        encoded = character.encode("utf-8")
        print(f"{character} = {len(encoded)} UTF-8 bytes: {encoded.hex(' ')}")
