"""Score BERT on the guess-the-word quiz: the held-out sentences the page ships, one ordinary word hidden in each.

The rounds are the page's own (`rounds_from`: a fixed shuffle, one whole lower-case word per line, picked by the
model card's routine). Run it from the repository root: it reads assets/bert/sentences.txt.
"""

import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer

from playground.bert.fill_mask import masked_lm_logits
from playground.bert.quiz import rounds_from

# Which parts the page's settings switch on: the panel keeps only those.
with_segments = True  # BERT's segment ids; DistilBERT has no segment embeddings and takes none

model_ref = "assets/models/shakespeare-bert"  # a folder, or a Hugging Face hub id
n_lines = 100
max_tokens = 128  # the longest input this model reads

tokenizer = AutoTokenizer.from_pretrained(model_ref)
# the masked-LM head only: a BERT pretrained on both games keeps the same head for the words
model = AutoModelForMaskedLM.from_pretrained(model_ref, attn_implementation="eager", dtype=torch.float32).eval()
with open("assets/bert/sentences.txt", encoding="utf-8") as file:
    sentences = tuple(line.strip() for line in file if line.strip())
quiz = rounds_from(sentences, tokenizer, max_tokens)[:n_lines]

first_right = in_top5 = 0
with torch.no_grad():
    for line in quiz:
        enc = tokenizer(line.masked, return_tensors="pt")
        if not with_segments:
            enc.pop("token_type_ids", None)
        logits = masked_lm_logits(model(**enc))[0]
        position = enc["input_ids"][0].tolist().index(tokenizer.mask_token_id)
        guesses = tokenizer.convert_ids_to_tokens(logits[position].topk(5).indices.tolist())
        first_right += guesses[0] == line.answer
        in_top5 += line.answer in guesses
n = len(quiz)
right = f"first guess right {first_right} of {n} ({first_right / n:.0%})"
print(f"{right}, word among the five {in_top5} of {n} ({in_top5 / n:.0%})")
