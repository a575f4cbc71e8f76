"""The lesson's sequence classification: a pretrained BERT body with a brand-new, untrained classification head.

`from_pretrained(..., num_labels=2)` loads every pretrained weight it can and draws the rest, the classifier on top
of the [CLS] vector, from random numbers: the seed below. So the logits mean nothing until the head is fine-tuned.
"""

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertForSequenceClassification

# Which parts the page's settings switch on: the panel keeps only those.
bert = True  # a BERT, as in the lesson; else another encoder (DistilBERT), whose Auto class picks its head

model_ref = "assets/models/shakespeare-bert"  # a folder, or a Hugging Face hub id
seed = 0  # the new head's weights come from this seed
text = "This is a test sentence."
label = 1

tokenizer = AutoTokenizer.from_pretrained(model_ref)
torch.manual_seed(seed)
if bert:
    model = BertForSequenceClassification.from_pretrained(
        model_ref, num_labels=2, attn_implementation="eager", dtype=torch.float32
    ).eval()
else:
    model = AutoModelForSequenceClassification.from_pretrained(
        model_ref, num_labels=2, attn_implementation="eager", dtype=torch.float32
    ).eval()

inputs = tokenizer(text, return_tensors="pt")
if not bert:
    inputs.pop("token_type_ids", None)  # DistilBERT has no segment embeddings
labels = torch.tensor([label])
with torch.no_grad():
    outputs = model(**inputs, labels=labels)
loss, logits = outputs.loss, outputs.logits
print("loss", loss.item(), "logits", logits.tolist())
# fine-tuning: loss.backward() and an optimizer step over many labelled sentences would train the head
