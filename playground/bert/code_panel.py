""" "The code" for the BERT page: runnable PyTorch + transformers that reproduces each section's numbers.

Each generator takes the same parameters the page ran with and returns source text. The text is only displayed in
the app (never executed there); tests execute it and compare its variables with the page's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from playground.bert.held_out import ordinary_word_pattern
from playground.bert.masking import MaskDecision

_RULE = '''
def pretraining_mask(ids, special, mask_id, vocab_size, seed, never_random):
    """BERT's rule: pick round(15%) of the ordinary tokens; 80% -> [MASK], 10% -> random token, 10% unchanged."""
    g = torch.Generator().manual_seed(seed)
    candidates = [i for i, s in enumerate(special) if not s]
    n_pick = min(len(candidates), max(1, int(round(len(candidates) * 0.15)))) if candidates else 0
    picked = sorted(candidates[i] for i in torch.randperm(len(candidates), generator=g)[:n_pick].tolist())
    pool = torch.tensor([i for i in range(vocab_size) if i not in set(never_random) | {mask_id}])
    new_ids = {}
    for position in picked:
        roll = torch.rand((), generator=g).item()
        if roll < 0.8:
            new_ids[position] = mask_id                                                   # [MASK]
        elif roll < 0.9:
            new_ids[position] = int(pool[torch.randint(len(pool), (), generator=g)])      # random token
        else:
            new_ids[position] = ids[position]                                             # unchanged
    return new_ids

'''


def _header(model_ref: str, has_nsp: bool) -> str:
    model_class = "BertForPreTraining" if has_nsp else "AutoModelForMaskedLM"
    return (
        "import torch\n"
        f"from transformers import AutoTokenizer, {model_class}\n\n"
        f"tokenizer = AutoTokenizer.from_pretrained({model_ref!r})\n"
        "# eager attention: the default sdpa kernel does not return attention weights; float32 as on the page\n"
        f'model = {model_class}.from_pretrained({model_ref!r}, attn_implementation="eager", dtype=torch.float32).eval()\n'
    )


def fill_mask_code(
    model_ref: str,
    has_nsp: bool,
    text: str,
    max_tokens: int,
    decisions: Sequence[MaskDecision],
    top_k: int,
    rule_seed: int | None = None,
) -> str:
    """Masking (the learner's clicks, or the pretraining rule with `rule_seed`), predictions, MLM loss, attention."""
    logits_name = "prediction_logits" if has_nsp else "logits"
    lines = [_header(model_ref, has_nsp)]
    lines.append(
        f"text = {text!r}\n"
        f"enc = tokenizer(text, truncation=True, max_length={max_tokens}, return_special_tokens_mask=True)\n"
        "ids = enc['input_ids']\n"
    )
    if rule_seed is not None:
        lines.append(_RULE)
        lines.append(
            "new_ids = pretraining_mask(ids, enc['special_tokens_mask'], tokenizer.mask_token_id, len(tokenizer),\n"
            f"                           seed={rule_seed}, never_random=tokenizer.all_special_ids)\n"
        )
    else:
        picked = ", ".join(str(d.position) for d in decisions)
        lines.append(
            f"# the tokens you clicked become [MASK]\nnew_ids = {{p: tokenizer.mask_token_id for p in [{picked}]}}\n"
        )
    lines.append(
        "\nseen = list(ids)\n"
        "for position, new_id in new_ids.items():\n"
        "    seen[position] = new_id\n"
        "print('model sees:', tokenizer.convert_ids_to_tokens(seen))\n\n"
        "with torch.no_grad():\n"
        "    # segment ids (all 0 for one sentence); DistilBERT has no segment embeddings and takes none\n"
        "    has_segments = 'token_type_ids' in enc and getattr(model.config, 'type_vocab_size', 0) > 0\n"
        "    kwargs = {'token_type_ids': torch.tensor([enc['token_type_ids']])} if has_segments else {}\n"
        "    out = model(input_ids=torch.tensor([seen]), output_attentions=True, **kwargs)\n"
        f"log_probs = out.{logits_name}[0].log_softmax(-1)\n\n"
        "top_predictions = {}\n"
        "for position in new_ids:\n"
        f"    top = log_probs[position].topk({top_k})\n"
        "    top_predictions[position] = [(tokenizer.convert_ids_to_tokens(int(i)), float(lp.exp()))\n"
        "                                 for lp, i in zip(top.values, top.indices)]\n"
        "    print(position, tokenizer.convert_ids_to_tokens(ids[position]), '->', top_predictions[position])\n\n"
        "# masked-LM loss: mean cross-entropy of the ORIGINAL tokens at the picked positions only\n"
        "positions = list(new_ids)\n"
        "if positions:\n"
        "    loss = torch.nn.functional.cross_entropy(log_probs[positions], torch.tensor([ids[p] for p in positions]))\n"
        "    print('masked-LM loss', loss.item())\n\n"
        "filled = list(seen)\n"
        "for position in positions:\n"
        "    filled[position] = int(log_probs[position].argmax())\n"
        "print('filled in:', tokenizer.decode(filled, skip_special_tokens=True))\n"
        "# attention: one (1, heads, seq, seq) tensor per layer; bertviz.head_view(out.attentions, tokens) draws it\n"
        "print(len(out.attentions), 'layers', tuple(out.attentions[0].shape))\n"
    )
    return "".join(lines)


def next_sentence_code(model_ref: str, sentence_a: str, sentence_b: str, max_tokens: int) -> str:
    return (
        _header(model_ref, True) + f"\nsentence_a = {sentence_a!r}\nsentence_b = {sentence_b!r}\n"
        "# [CLS] A [SEP] B [SEP], segment ids 0 for A and 1 for B\n"
        f"enc = tokenizer(sentence_a, sentence_b, truncation=True, max_length={max_tokens}, return_tensors='pt')\n"
        "with torch.no_grad():\n"
        "    out = model(**enc)\n"
        "# index 0 = 'B follows A' (IsNext), index 1 = 'B is random'\n"
        "is_next_probability = out.seq_relationship_logits[0].softmax(-1)[0].item()\n"
        "print(f'IsNext probability: {is_next_probability:.4f}')\n"
    )


def classification_code(model_ref: str, model_type: str, seed: int, text: str, label: int) -> str:
    model_class = "BertForSequenceClassification" if model_type == "bert" else "AutoModelForSequenceClassification"
    return (
        "import torch\n"
        f"from transformers import AutoTokenizer, {model_class}\n\n"
        f"tokenizer = AutoTokenizer.from_pretrained({model_ref!r})\n"
        f"torch.manual_seed({seed})  # the classifier head is NEW: its weights come from this random seed\n"
        f"model = {model_class}.from_pretrained(  # loaded exactly as on the page\n"
        f"    {model_ref!r}, num_labels=2, attn_implementation='eager', dtype=torch.float32\n"
        ").eval()\n\n"
        f"inputs = tokenizer({text!r}, return_tensors='pt')\n"
        + (
            "inputs.pop('token_type_ids', None)  # DistilBERT has no segment embeddings\n"
            if model_type != "bert"
            else ""
        )
        + f"labels = torch.tensor([{label}])\n"
        "with torch.no_grad():\n"
        "    outputs = model(**inputs, labels=labels)\n"
        "loss, logits = outputs.loss, outputs.logits\n"
        "print('loss', loss.item(), 'logits', logits.tolist())\n"
        "# fine-tuning: loss.backward() and an optimizer step over many labelled sentences would train the head\n"
    )


def quiz_score_code(model_ref: str, has_nsp: bool, n_lines: int, max_tokens: int) -> str:
    """Score BERT on the quiz's first `n_lines` held-out sentences, choosing each hidden word as the page does."""
    logits_name = "prediction_logits" if has_nsp else "logits"
    return (
        "import random\nimport re\n\n"
        + _header(model_ref, has_nsp)
        + "\n# the held-out sentences the page ships (run this from the repository root), in the quiz's fixed order\n"
        "sentences = [line.strip() for line in open('assets/bert/sentences.txt', encoding='utf-8') if line.strip()]\n"
        "random.Random(0).shuffle(sentences)\n"
        "vocab = tokenizer.get_vocab()\n"
        f"ordinary = re.compile({ordinary_word_pattern()!r})  # a whole lower-case word, not the tis of 'tis\n"
        "pick = random.Random(0)\n"
        "quiz = []  # (sentence with one word masked, the word)\n"
        "for sentence in sentences:\n"
        "    words = [m for m in ordinary.finditer(sentence) if m.group() in vocab]  # one WordPiece token\n"
        "    if words:\n"
        "        m = pick.choice(words)\n"
        "        masked = sentence[: m.start()] + tokenizer.mask_token + sentence[m.end():]\n"
        f"        if len(tokenizer(masked)['input_ids']) <= {max_tokens}:  # the model reads the whole line\n"
        "            quiz.append((masked, m.group()))\n"
        f"quiz = quiz[:{n_lines}]\n\n"
        "first_right = in_top5 = 0\n"
        "with torch.no_grad():\n"
        "    for masked, word in quiz:\n"
        "        enc = tokenizer(masked, return_tensors='pt')\n"
        + ("        enc.pop('token_type_ids', None)  # DistilBERT has no segment embeddings\n" if not has_nsp else "")
        + f"        logits = model(**enc).{logits_name}[0]\n"
        "        position = enc['input_ids'][0].tolist().index(tokenizer.mask_token_id)\n"
        "        guesses = tokenizer.convert_ids_to_tokens(logits[position].topk(5).indices.tolist())\n"
        "        first_right += guesses[0] == word\n"
        "        in_top5 += word in guesses\n"
        "n = len(quiz)\n"
        "print(f'first guess right {first_right} of {n} ({first_right / n:.0%}), '\n"
        "      f'word among the five {in_top5} of {n} ({in_top5 / n:.0%})')\n"
    )
