"""Next-sentence prediction: does sentence B follow sentence A? BERT's second pretraining game.

The pair goes in as [CLS] A [SEP] B [SEP], with segment ids 0 for A and 1 for B; a two-way head on the [CLS] vector
says IsNext (index 0) or NotNext (index 1). Run it from the repository root for the bundled model.
"""

import torch
from transformers import AutoTokenizer, BertForPreTraining

model_ref = "assets/models/shakespeare-bert"  # a folder, or a Hugging Face hub id
sentence_a = "O Romeo, Romeo! wherefore art thou Romeo?"
sentence_b = "Deny thy father and refuse thy name."
max_tokens = 128  # the longest input this model reads

tokenizer = AutoTokenizer.from_pretrained(model_ref)
model = BertForPreTraining.from_pretrained(model_ref, attn_implementation="eager", dtype=torch.float32).eval()
enc = tokenizer(sentence_a, sentence_b, truncation=True, max_length=max_tokens, return_tensors="pt")
with torch.no_grad():
    out = model(**enc)
is_next_probability = out.seq_relationship_logits[0].softmax(-1)[0].item()
print(f"IsNext probability: {is_next_probability:.4f}")
