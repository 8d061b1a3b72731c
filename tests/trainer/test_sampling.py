"""The trainer's group sampler: nucleus maths by hand, and with the real default model
cold sampling equals greedy ``generate``, a group does not depend on the prompts batched
with it, no token is drawn from outside the nucleus, and every row draws from a plain
forward pass of its own prefix (left padding and dropped rows change nothing)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from rlvr.tasks import get_task  # noqa: E402
from rlvr.trainer.sampling import draw, nucleus_probs, sample_groups  # noqa: E402


def test_nucleus_probs_hand_computed() -> None:
    logits = torch.tensor([[math.log(p) for p in (0.5, 0.3, 0.15, 0.05)]])
    # mass ranked above: 0, 0.5, 0.8, 0.95 -> tokens 0 and 1 are the nucleus for top_p 0.8
    assert nucleus_probs(logits, 1.0, 0.8)[0].tolist() == pytest.approx([0.625, 0.375, 0.0, 0.0])
    assert nucleus_probs(logits, 1.0, 0.4)[0].tolist() == pytest.approx([1.0, 0.0, 0.0, 0.0])  # top token kept
    assert nucleus_probs(logits, 1.0, 1.0)[0].tolist() == pytest.approx([0.5, 0.3, 0.15, 0.05])
    # temperature 2 on [0, ln 4]: probabilities proportional to [1, 2]
    hot = nucleus_probs(torch.tensor([[0.0, math.log(4.0)]]), 2.0, 1.0)[0]
    assert hot.tolist() == pytest.approx([1 / 3, 2 / 3])


def test_draw_follows_the_probabilities_and_never_picks_a_zero() -> None:
    probs = torch.tensor([[0.25, 0.0, 0.75, 0.0]]).expand(20_000, 4)
    tokens = draw(probs, torch.Generator().manual_seed(0))
    counts = torch.bincount(tokens, minlength=4).tolist()
    assert counts[1] == counts[3] == 0
    assert counts[0] / 20_000 == pytest.approx(0.25, abs=0.01)  # 3.3 standard deviations
    again = draw(probs, torch.Generator().manual_seed(0))
    assert torch.equal(tokens, again)  # the generator alone decides


@pytest.fixture(scope="module")
def policy():
    from rlvr.trainer.models import load_model_and_tokenizer

    torch.set_num_threads(1)
    return load_model_and_tokenizer()


@pytest.fixture(scope="module")
def prompts(policy):
    _, tok = policy
    task = get_task("arithmetic")
    rows = task.load(split="test", limit=2)
    rows[1] = dict(rows[1], question=rows[1]["question"] + " Take your time and show every step.")
    texts = [tok.apply_chat_template(task.build_messages(r), tokenize=False, add_generation_prompt=True)
             for r in rows]
    ids = [tok(t, add_special_tokens=False, return_tensors="pt").input_ids[0] for t in texts]
    assert ids[0].numel() != ids[1].numel()  # so batching them needs left padding
    return ids


def _sample(policy, prompts, seeds, **kw):
    model, tok = policy
    args = {"group_size": 3, "max_new_tokens": 24, "temperature": 1.0, "top_p": 1.0} | kw
    return sample_groups(model, prompts, seeds=seeds, eos_id=tok.eos_token_id, pad_id=tok.pad_token_id, **args)


def _rows(group) -> list[list[int]]:
    return [ids[m].tolist() for ids, m in zip(group.completion_ids, group.completion_mask, strict=True)]


@pytest.mark.model
@pytest.mark.slow
def test_cold_sampling_equals_greedy_generate(policy, prompts) -> None:
    model, tok = policy
    groups = _sample(policy, prompts, [1, 2], temperature=1e-5)
    for p, g in zip(prompts, groups, strict=True):
        out = model.generate(input_ids=p[None], attention_mask=torch.ones_like(p[None]), do_sample=False,
                             max_new_tokens=24, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
        greedy = out[0, p.numel():].tolist()
        if tok.eos_token_id in greedy:
            greedy = greedy[: greedy.index(tok.eos_token_id) + 1]
        assert _rows(g) == [greedy] * 3
        assert g.clipped == [tok.eos_token_id not in greedy] * 3


@pytest.mark.model
@pytest.mark.slow
def test_a_group_does_not_depend_on_the_prompts_batched_with_it(policy, prompts) -> None:
    handed: list[tuple[int, object]] = []
    together = _sample(policy, prompts, [11, 22], on_group_done=lambda b, g: handed.append((b, g)))
    assert sorted(b for b, _ in handed) == [0, 1]  # every group handed over once, as it ended
    assert all(g is together[b] for b, g in handed)
    alone = [_sample(policy, [p], [s])[0] for p, s in zip(prompts, [11, 22], strict=True)]
    for a, b in zip(together, alone, strict=True):
        assert _rows(a) == _rows(b)
        assert a.clipped == b.clipped
    reseeded = _sample(policy, prompts[:1], [12])[0]
    assert _rows(reseeded) != _rows(alone[0])  # the seed matters
    eos = policy[1].eos_token_id
    for g in together:
        for row, clipped in zip(_rows(g), g.clipped, strict=True):
            assert eos not in row[:-1]  # nothing after the first EOS
            assert clipped == (row[-1] != eos) and (not clipped or len(row) == 24)


@pytest.mark.model
@pytest.mark.slow
def test_no_token_is_drawn_from_outside_the_nucleus(policy, prompts) -> None:
    model, _ = policy
    group = _sample(policy, prompts[:1], [5], top_p=0.5, group_size=4)[0]
    P = prompts[0].numel()
    for row in _rows(group):
        full = torch.cat([prompts[0], torch.tensor(row)])[None]
        with torch.no_grad():
            logits = model(input_ids=full).logits[0, P - 1 : P - 1 + len(row)]  # predicts each sampled token
        allowed = nucleus_probs(logits, 1.0, 0.5)
        assert all(allowed[t, tok] > 0 for t, tok in enumerate(row))


@pytest.mark.model
@pytest.mark.slow
def test_each_row_samples_from_a_plain_forward_of_its_own_prefix(policy, prompts, monkeypatch) -> None:
    """Left-padded prompts, rows dropping out of the batch (and its cache) as they end: at every
    step, the distribution a row draws from equals the model's next-token distribution for that
    row's own prompt + completion so far, computed alone with no padding and no cache."""
    import rlvr.trainer.sampling as sampling

    model, _ = policy
    seen: list[torch.Tensor] = []  # the logits of every decode step, rows in batch order
    real = sampling.nucleus_probs
    monkeypatch.setattr(sampling, "nucleus_probs", lambda logits, t, p: seen.append(logits.clone()) or real(logits, t, p))
    groups = _sample(policy, prompts, [3, 4], group_size=4, max_new_tokens=40)
    lengths = [int(n) for g in groups for n in g.completion_mask.sum(1)]
    rows = [row for g in groups for row in _rows(g)]
    assert len(set(lengths)) > 2 and min(lengths) < max(lengths) - 5  # rows ended, and were dropped, mid-decode
    assert len(seen) == max(lengths)
    worst = 0.0
    for i, row in enumerate(rows):
        prompt = prompts[i // 4]
        with torch.no_grad():  # one plain forward of this row alone: position t predicts token t of the row
            full = torch.cat([prompt, torch.tensor(row)])[None]
            plain = model(input_ids=full).logits[0, prompt.numel() - 1 : prompt.numel() - 1 + len(row)]
        for t in range(len(row)):
            batch_row = sum(1 for j in range(i) if lengths[j] > t)  # rows still writing at step t keep their order
            assert seen[t].shape[0] == sum(1 for n in lengths if n > t)
            sampled = torch.log_softmax(seen[t][batch_row].float(), -1)
            worst = max(worst, (sampled - torch.log_softmax(plain[t].float(), -1)).abs().max().item())
    assert worst <= 1e-4, worst
