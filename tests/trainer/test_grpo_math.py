"""The GRPO maths against numbers computed by hand, and against a brute-force loop."""

import math

import pytest
import torch

from rlvr.trainer.grpo import (
    aggregate,
    clipped_surrogate,
    group_advantages,
    importance_weights,
    k3_kl,
    zero_std_groups,
)


def test_textbook_ten_answers_three_correct():
    rewards = torch.tensor([[1.0, 1, 1, 0, 0, 0, 0, 0, 0, 0]])
    adv = group_advantages(rewards, torch.ones_like(rewards, dtype=torch.bool), "none")
    assert adv[0, :3].tolist() == pytest.approx([0.7] * 3)
    assert adv[0, 3:].tolist() == pytest.approx([-0.3] * 7)


def test_group_scale_uses_bessel_std_plus_eps():
    rewards = torch.tensor([[1.0, 1, 1, 0, 0, 0, 0, 0, 0, 0]])
    adv = group_advantages(rewards, torch.ones_like(rewards, dtype=torch.bool), "group", eps=1e-4)
    std = math.sqrt((3 * 0.7**2 + 7 * 0.3**2) / 9)  # 0.4830459...
    assert std == pytest.approx(0.48304589)
    assert adv[0, 0].item() == pytest.approx(0.7 / (std + 1e-4), rel=1e-6)  # 1.448838
    assert adv[0, 9].item() == pytest.approx(-0.3 / (std + 1e-4), rel=1e-6)  # -0.620931
    assert adv[0, 0].item() == pytest.approx(1.448838, abs=1e-5)


def test_masked_rows_leave_the_mean_and_get_zero():
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0]])
    mask = torch.tensor([[True, True, True, False]])  # row 3 timed out: not a wrong answer
    adv = group_advantages(rewards, mask, "none")
    assert adv[0].tolist() == pytest.approx([2 / 3, -1 / 3, -1 / 3, 0.0])


def test_batch_scale_divides_by_the_std_of_the_whole_batch():
    rewards = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    adv = group_advantages(rewards, torch.ones(2, 2, dtype=torch.bool), "batch", eps=0.0)
    # batch std (n-1) of [1, 0, 1, 1] is 0.5; group-centred rewards are [[.5, -.5], [0, 0]]
    assert adv.tolist() == [[1.0, -1.0], [0.0, 0.0]]


def test_single_scored_row_and_uniform_groups_have_zero_advantage_and_are_flagged():
    rewards = torch.tensor([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    mask = torch.tensor([[True, True, True], [True, True, True], [False, True, False]])
    adv = group_advantages(rewards, mask, "group")
    assert adv[0].abs().sum() == 0 and adv[2].abs().sum() == 0
    assert zero_std_groups(rewards, mask).tolist() == [True, False, True]


def test_clipped_surrogate_hand_numbers():
    old = torch.zeros(1, 4)
    logp = torch.log(torch.tensor([[1.5, 0.5, 0.5, 1.0]]))
    adv = torch.tensor([1.0])
    loss, counts = clipped_surrogate(logp, old, adv, torch.ones(1, 4, dtype=torch.bool), 0.2, 0.2)
    # ratio 1.5, A>0 -> clipped at 1.2; ratio 0.5, A>0 -> the unclipped 0.5 is the min; ratio 1 -> 1
    assert loss[0].tolist() == pytest.approx([-1.2, -0.5, -0.5, -1.0])
    assert counts["high"].item() == 1 and counts["low"].item() == 0 and counts["region"].item() == 3
    loss_neg, counts_neg = clipped_surrogate(logp, old, -adv, torch.ones(1, 4, dtype=torch.bool), 0.2, 0.28)
    # A<0: ratio 0.5 is clipped at 0.8 -> -(0.8 * -1); ratio 1.5 keeps 1.5 (the min of -1.5, -1.28)
    assert loss_neg[0].tolist() == pytest.approx([1.5, 0.8, 0.8, 1.0])
    assert counts_neg["low"].item() == 2 and counts_neg["high"].item() == 0


def test_surrogate_gradient_at_ratio_one_is_minus_advantage():
    logp = torch.tensor([[-1.0, -2.0]], requires_grad=True)
    loss, _ = clipped_surrogate(logp, logp.detach(), torch.tensor([0.7]), torch.ones(1, 2, dtype=torch.bool), 0.2, 0.2)
    assert loss.sum().item() == pytest.approx(-1.4)  # ratio 1: value -A per token
    loss.sum().backward()
    assert logp.grad[0].tolist() == pytest.approx([-0.7, -0.7])


def test_k3_hand_number_and_zero_at_equal():
    logp, ref = torch.log(torch.tensor([[0.5, 0.3]])), torch.log(torch.tensor([[0.25, 0.3]]))
    kl = k3_kl(logp, ref)
    assert kl[0, 0].item() == pytest.approx(0.5 + math.log(2) - 1, abs=1e-6)  # 0.193147
    assert kl[0, 1].item() == pytest.approx(0.0, abs=1e-7)


def test_aggregate_hand_numbers_and_microbatches_add_up():
    per_token = torch.tensor([[1.0, 2.0, 3.0], [4.0, 9.0, 9.0]])
    mask = torch.tensor([[True, True, True], [True, False, False]])
    kw = {"total_rows": 2, "total_tokens": 4, "max_completion_length": 3}
    assert aggregate(per_token, mask, "grpo", **kw).item() == pytest.approx((2 + 4) / 2)
    assert aggregate(per_token, mask, "dapo", **kw).item() == pytest.approx(10 / 4)
    assert aggregate(per_token, mask, "dr_grpo", **kw).item() == pytest.approx(10 / 6)
    for loss_type in ("grpo", "dapo", "dr_grpo"):
        whole = aggregate(per_token, mask, loss_type, **kw)
        parts = sum(aggregate(per_token[i : i + 1], mask[i : i + 1], loss_type, **kw) for i in range(2))
        assert parts.item() == pytest.approx(whole.item())


def _brute_force_loss(logp, old, ref, rewards, mask, eps_low, eps_high, beta, loss_type, max_len):
    """The objective written out as loops over groups, rows and tokens."""
    B, G, T = logp.shape
    rows = [(b, i) for b in range(B) for i in range(G) if mask[b, i].any()]
    tokens = int(mask.sum())
    total = 0.0
    for b in range(B):
        mean = sum(rewards[b]) / G
        std = math.sqrt(sum((r - mean) ** 2 for r in rewards[b]) / (G - 1))
        for i in range(G):
            a = (rewards[b][i] - mean) / (std + 1e-4)
            row_sum, n = 0.0, 0
            for t in range(T):
                if not mask[b, i, t]:
                    continue
                ratio = torch.exp(logp[b, i, t] - old[b, i, t])
                surrogate = torch.min(ratio * a, torch.clamp(ratio, 1 - eps_low, 1 + eps_high) * a)
                d = ref[b, i, t] - logp[b, i, t]
                row_sum = row_sum - surrogate + beta * (torch.exp(d) - d - 1)
                n += 1
            if loss_type == "grpo":
                total = total + row_sum / max(n, 1) / len(rows)
            elif loss_type == "dapo":
                total = total + row_sum / tokens
            else:
                total = total + row_sum / (len(rows) * max_len)
    return total


@pytest.mark.parametrize("loss_type", ["grpo", "dapo", "dr_grpo"])
def test_loss_and_gradient_match_brute_force(loss_type):
    torch.manual_seed(0)
    B, G, T = 2, 4, 5
    base = torch.randn(B, G, T) * 0.3 - 1.0
    old = base + 0.2 * torch.randn(B, G, T)  # ratios away from 1, some clipped
    ref = base + 0.2 * torch.randn(B, G, T)
    rewards = torch.tensor([[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.5]])
    mask = torch.ones(B, G, T, dtype=torch.bool)
    mask[0, 1, 3:] = False
    mask[1, 2, 1:] = False
    args = (0.2, 0.28, 0.05)

    logp_ref_impl = base.clone().requires_grad_(True)
    expected = _brute_force_loss(logp_ref_impl, old, ref, rewards.tolist(), mask, *args, loss_type, T)
    expected.backward()

    logp = base.clone().requires_grad_(True)
    adv = group_advantages(rewards, torch.ones(B, G, dtype=torch.bool), "group")  # [B, G]
    kw = {"total_rows": B * G, "total_tokens": int(mask.sum()), "max_completion_length": T}
    got = 0.0
    for b in range(B):  # one micro-batch per group, as the trainer does
        per_token, _ = clipped_surrogate(logp[b], old[b], adv[b], mask[b], 0.2, 0.28)
        per_token = per_token + 0.05 * k3_kl(logp[b], ref[b])
        got = got + aggregate(per_token, mask[b], loss_type, **kw)
    got.backward()
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)
    torch.testing.assert_close(logp.grad, logp_ref_impl.grad, rtol=1e-5, atol=1e-7)


# --- truncated importance sampling (vLLM rollouts) ---

NAN = float("nan")
# Two rows of three tokens. Row 0: log-ratios 0.5 and -1.0, its third token padding (masked).
# Row 1: log-ratios 0.8, 0.7, and a token the sampler gave no log-prob (NaN): ratio 1, as TRL.
TRAINER = torch.tensor([[-1.0, -2.0, -0.5], [-0.2, -0.3, -4.0]])
SAMPLER = torch.tensor([[-1.5, -1.0, -9.0], [-1.0, -1.0, NAN]])
MASK = torch.tensor([[True, True, False], [True, True, True]])


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # e^0.5 = 1.6487 -> 1.5 (cap), e^-1 = 0.3679; e^0.8 = 2.2255 -> 1.5, e^0.7 = 2.0138 -> 1.5; pad/NaN -> e^0 = 1
        ("token_truncate", [[1.5, 0.36788, 1.0], [1.5, 1.5, 1.0]]),
        ("token_mask", [[0.0, 0.36788, 1.0], [0.0, 0.0, 1.0]]),
        # row sums: 0.5 - 1.0 = -0.5 -> e^-0.5 = 0.60653; 0.8 + 0.7 = 1.5 -> e^1.5 = 4.4817, over the cap
        ("sequence_truncate", [[0.60653], [1.5]]),
        ("sequence_mask", [[0.60653], [0.0]]),
    ],
)
def test_importance_weights_by_hand(mode, expected) -> None:
    weights, stats = importance_weights(TRAINER, SAMPLER, MASK, mode, cap=1.5)
    assert weights.shape == ((2, 3) if mode.startswith("token") else (2, 1))
    assert torch.allclose(weights, torch.tensor(expected), atol=1e-5)
    # |trainer - sampler| on the 4 active tokens with a sampler log-prob: 0.5, 1.0, 0.8, 0.7
    assert stats["gap_count"].item() == 4
    assert stats["gap_sum"].item() == pytest.approx(3.0)
    assert stats["gap_max"].item() == pytest.approx(1.0)


def test_importance_ratio_statistics_follow_trl() -> None:
    """Token modes: over the active tokens (5: the NaN token counts, at ratio 1); sequence modes: over rows."""
    _, stats = importance_weights(TRAINER, SAMPLER, MASK, "token_truncate", cap=3.0)
    assert stats["ratio_count"].item() == 5
    assert stats["ratio_sum"].item() == pytest.approx(1.64872 + 0.36788 + 2.22554 + 2.01375 + 1.0, abs=1e-4)
    assert (stats["ratio_min"].item(), stats["ratio_max"].item()) == pytest.approx((0.36788, 2.22554), abs=1e-5)
    _, stats = importance_weights(TRAINER, SAMPLER, MASK, "sequence_truncate", cap=3.0)
    assert stats["ratio_count"].item() == 2
    assert stats["ratio_sum"].item() == pytest.approx(0.60653 + 3.0, abs=1e-4)


def test_importance_weights_are_detached_and_one_on_policy() -> None:
    logp = torch.tensor([[-0.7, -1.2]], requires_grad=True)
    weights, stats = importance_weights(logp, logp.detach().clone(), torch.ones(1, 2, dtype=torch.bool),
                                        "token_truncate", cap=2.0)
    assert not weights.requires_grad
    assert weights.tolist() == [[1.0, 1.0]] and stats["gap_sum"].item() == 0.0
