"""The training loss and its gradient equal TRL 1.16's own ``GRPOTrainer.compute_loss`` on the same tensors.

One batch of two groups (ragged completions, right-padded), old log-probs away from
the current ones (so that clipping acts) and a reference policy (beta > 0): TRL's
loss is computed by a real GRPOTrainer on the tiny model (its own forward pass,
its own surrogate, KL and aggregation); rlvr's by the trainer's per-group path
(``completion_logprobs`` with the shared prompt, ``clipped_surrogate``, ``k3_kl``,
``aggregate`` with batch totals, summed over groups, as ``optimise`` does).

TRL 1.16 multiplies the KL term by the (differentiable) importance ratio by default
(``use_bias_correction_kl=True``, DeepSeek-V3.2), which changes the KL gradient
whenever beta > 0, on-policy too; rlvr's KL is the plain k3 term (DeepSeekMath's GRPO),
so TRL's correction is turned off here: with it on, this batch's loss differs by 0.9%.
"""

from __future__ import annotations

import pytest
import torch

pytest.importorskip("trl")

from rlvr.trainer.grpo import aggregate, clipped_surrogate, k3_kl
from rlvr.trainer.policy_logprobs import completion_logprobs

G, P, C, MAX_LEN, BETA = 3, 9, 6, 8, 0.04


def _batch():
    gen = torch.Generator().manual_seed(0)
    prompts = torch.randint(10, 1000, (2, P), generator=gen)  # one length: TRL would shift padded positions
    completions = torch.randint(10, 1000, (2 * G, C), generator=gen)
    lengths = torch.tensor([6, 2, 4, 1, 5, 3])
    mask = torch.arange(C).unsqueeze(0) < lengths.unsqueeze(1)
    completions = torch.where(mask, completions, 0)
    advantages = torch.tensor([1.2, -0.6, -0.6, 0.9, 0.3, -1.2])
    return prompts, completions, mask, advantages


def _trl_trainer(model, tokenizer, loss_type, tmp_path):
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    args = GRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, fp16=False, gradient_checkpointing=False,
                      per_device_train_batch_size=2 * G, num_generations=G, max_completion_length=MAX_LEN,
                      loss_type=loss_type, beta=BETA, epsilon=0.2, epsilon_high=0.28, temperature=1.0,
                      use_bias_correction_kl=False, report_to="none", save_strategy="no", disable_tqdm=True)
    return GRPOTrainer(model=model, reward_funcs=[lambda completions, **_: [0.0] * len(completions)], args=args,
                       train_dataset=Dataset.from_list([{"prompt": "What is 1 + 1?"}] * 4), processing_class=tokenizer)


def _grads(model, loss):
    model.zero_grad()
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.slow
@pytest.mark.parametrize("loss_type", ["grpo", "dapo", "dr_grpo"])
def test_loss_and_gradient_equal_trl_compute_loss(tiny_model_dir, tmp_path, loss_type):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    trainer = _trl_trainer(model, tokenizer, loss_type, tmp_path)
    model.train()  # as inside TRL's training step (the tiny Llama has no dropout: the same forward)
    trainer.current_gradient_accumulation_steps = 1  # what Trainer's loop sets for gradient_accumulation_steps=1
    prompts, completions, mask, advantages = _batch()
    with torch.no_grad():
        logp_now = torch.cat([completion_logprobs(model, prompts[b], completions[b * G:(b + 1) * G],
                                                  mask[b * G:(b + 1) * G])[0] for b in range(2)])
    noise = torch.randn(logp_now.shape, generator=torch.Generator().manual_seed(1))
    old = (logp_now + 0.3 * noise) * mask  # ratios from ~0.5 to ~2: both clip sides act
    ref = (logp_now - 0.2 * noise.flip(0)) * mask

    inputs = {"prompt_ids": prompts.repeat_interleave(G, dim=0), "prompt_mask": torch.ones(2 * G, P, dtype=torch.long),
              "completion_ids": completions, "completion_mask": mask.long(), "advantages": advantages,
              "old_per_token_logps": old, "ref_per_token_logps": ref,
              "num_items_in_batch": mask.sum().float()}
    trl_loss = trainer.compute_loss(model, inputs)
    trl_grads = _grads(model, trl_loss)

    totals = {"total_rows": 2 * G, "total_tokens": int(mask.sum()), "max_completion_length": MAX_LEN}
    ours = torch.zeros(())
    clipped_tokens = 0
    for b in range(2):
        rows = slice(b * G, (b + 1) * G)
        logp, _ = completion_logprobs(model, prompts[b], completions[rows], mask[rows])
        per_token, clips = clipped_surrogate(logp, old[rows], advantages[rows], mask[rows], 0.2, 0.28)
        per_token = per_token + BETA * k3_kl(logp, ref[rows])
        ours = ours + aggregate(per_token, mask[rows], loss_type, **totals)
        clipped_tokens += int(clips["region"])
    assert clipped_tokens >= 3  # the comparison covers clipped tokens, not only ratio-1 ones
    our_grads = _grads(model, ours)

    assert abs(ours.item() - trl_loss.item()) <= 1e-5 * max(1.0, abs(trl_loss.item())), (ours.item(), trl_loss.item())
    assert our_grads.keys() == trl_grads.keys()
    worst = max(((our_grads[n] - trl_grads[n]).abs().max() / trl_grads[n].abs().max().clamp(min=1e-12)).item()
                for n in trl_grads)
    assert worst <= 1e-4, worst
