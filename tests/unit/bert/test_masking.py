"""BERT's 15% / 80-10-10 masking rule: the right counts, the right proportions, never a special token."""

from collections import Counter

import pytest

from playground.bert.masking import (
    MASKED,
    RANDOM,
    TYPED,
    UNCHANGED,
    apply_decisions,
    mask_chosen,
    maskable_positions,
    number_to_predict,
    pretraining_mask,
    typed_masks,
)

MASK_ID, VOCAB, SPECIALS = 4, 1000, (0, 1, 2, 3, 4)
# [CLS] forty ordinary tokens [SEP]
IDS = [2] + list(range(100, 140)) + [3]
SPECIAL = [1] + [0] * 40 + [1]


def test_google_count_round_fifteen_percent_at_least_one():
    assert number_to_predict(40) == 6
    assert number_to_predict(3) == 1
    assert number_to_predict(1) == 1
    assert number_to_predict(0) == 0
    assert number_to_predict(100) == 15


def test_specials_are_never_picked_and_picks_are_distinct():
    for seed in range(200):
        decisions = pretraining_mask(IDS, SPECIAL, MASK_ID, VOCAB, seed, never_random_ids=SPECIALS)
        positions = [d.position for d in decisions]
        assert len(positions) == len(set(positions)) == 6
        assert all(not SPECIAL[p] for p in positions)


def test_same_seed_same_draw_other_seed_other_draw():
    a = pretraining_mask(IDS, SPECIAL, MASK_ID, VOCAB, 7)
    assert a == pretraining_mask(IDS, SPECIAL, MASK_ID, VOCAB, 7)
    assert a != pretraining_mask(IDS, SPECIAL, MASK_ID, VOCAB, 8)


def test_eighty_ten_ten_over_many_draws():
    actions = Counter()
    position_hits = Counter()
    draws = 2000
    for seed in range(draws):
        for d in pretraining_mask(IDS, SPECIAL, MASK_ID, VOCAB, seed, never_random_ids=SPECIALS):
            actions[d.action] += 1
            position_hits[d.position] += 1
    total = sum(actions.values())
    assert total == 6 * draws
    # 12000 picks: the standard error of a 10% share is 0.27%, so 1.2% is a 4.4-sigma tolerance
    assert actions[MASKED] / total == pytest.approx(0.8, abs=0.012)
    assert actions[RANDOM] / total == pytest.approx(0.1, abs=0.012)
    assert actions[UNCHANGED] / total == pytest.approx(0.1, abs=0.012)
    # every ordinary position is picked about 15% of the time (6 of 40)
    for position in maskable_positions(SPECIAL):
        assert position_hits[position] / draws == pytest.approx(0.15, abs=0.03)


def test_what_each_action_does_to_the_token():
    for seed in range(300):
        for d in pretraining_mask(IDS, SPECIAL, MASK_ID, VOCAB, seed, never_random_ids=SPECIALS):
            assert d.original_id == IDS[d.position]
            if d.action == MASKED:
                assert d.new_id == MASK_ID
            elif d.action == UNCHANGED:
                assert d.new_id == d.original_id
            else:
                assert d.new_id not in SPECIALS and 0 <= d.new_id < VOCAB


def test_clicked_tokens_all_become_mask_and_apply_changes_only_them():
    decisions = mask_chosen(IDS, [5, 1, 5], MASK_ID)
    assert [d.position for d in decisions] == [1, 5]
    seen = apply_decisions(IDS, decisions)
    assert seen[1] == seen[5] == MASK_ID
    assert [s for i, s in enumerate(seen) if i not in (1, 5)] == [t for i, t in enumerate(IDS) if i not in (1, 5)]


def test_nothing_to_mask_gives_no_decisions_and_mismatch_is_an_error():
    assert pretraining_mask([2, 3], [1, 1], MASK_ID, VOCAB, 0) == []
    with pytest.raises(ValueError, match="must match"):
        pretraining_mask([2, 3], [1], MASK_ID, VOCAB, 0)


def test_a_typed_mask_is_a_blank_with_no_label_and_the_rule_never_picks_it():
    typed = list(IDS)
    typed[3] = typed[17] = MASK_ID  # "[MASK]" typed twice in the text
    blanks = typed_masks(typed, MASK_ID)
    assert [(d.position, d.original_id, d.action, d.new_id) for d in blanks] == [
        (3, None, TYPED, MASK_ID),
        (17, None, TYPED, MASK_ID),
    ]
    assert apply_decisions(typed, blanks) == typed  # the model sees the text as typed
    for seed in range(200):
        picked = pretraining_mask(typed, SPECIAL, MASK_ID, VOCAB, seed, never_random_ids=SPECIALS)
        assert {d.position for d in picked}.isdisjoint({3, 17})
        assert all(d.original_id == typed[d.position] for d in picked)  # every pick has a real answer
        assert len(picked) == 6  # round(15% of the 38 words left): the typed blanks are not candidates
