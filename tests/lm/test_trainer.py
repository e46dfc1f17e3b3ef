"""The transformer trainer: its loss over padded batches equals the per-sentence token NLL of
the plain model (padding never counts), and its learning-rate schedule is the warmup + cosine
closed form."""

import math

import pytest
import torch
from torch.nn import functional as F

from adlkit.lm.train import TransformerTrainer, sentence_batches

WORDS = ["a", "b", "c", "d", "</s>", "<s>", "<unk>"]


def test_padded_batch_loss_is_the_sum_of_per_sentence_nll():
    torch.manual_seed(0)
    m = TransformerTrainer(WORDS, context=16, d_model=8, heads=2, layers=1).eval()
    sents = [["a", "b"], ["c"], ["d", "a", "b", "c", "zzz"]]
    batch = next(iter(sentence_batches(m, sents, 8).epoch(None)))
    total, count = m.eval_loss(batch)
    ref, n = 0.0, 0
    for s in sents:  # one unpadded sequence at a time, through the model's plain forward
        ids = torch.tensor([m.encode(s)])
        logits = m.lm(ids[:, :-1])[0]
        ref += float(F.cross_entropy(logits, ids[0, 1:], reduction="sum"))
        n += ids.shape[1] - 1
    assert count == n == 3 + 2 + 6  # the words and </s> of each sentence
    assert total == pytest.approx(ref, rel=1e-5)


def test_learning_rate_schedule_is_warmup_then_cosine():
    m = TransformerTrainer(WORDS, lr=1e-2, warmup=10, total_steps=110, min_lr_ratio=0.1, context=4, d_model=4,
                           heads=1, layers=1)
    opt = m.configure_optimizers()["adam"]
    seen = []
    for _ in range(120):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        m.schedule.step()
    assert seen[0] == pytest.approx(1e-3) and seen[9] == pytest.approx(1e-2)  # linear warmup
    for step in (10, 35, 60, 85, 110, 119):
        p = min(1.0, (step - 10) / 100)
        assert seen[step] == pytest.approx(1e-2 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p))))
    assert seen[60] == pytest.approx(0.55e-2) and seen[110] == pytest.approx(1e-3)
