"""trl_reward: TRL's reward-function contract, and one real GRPOTrainer step with it."""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from typing import Any

import pytest

from rlvr.tasks import get_task, trl_dataset, trl_reward
from rlvr.verifiers import Score, Status, VerifierPoolBroken, register_verifier

BOXED_EXACT = [{"name": "exact", "params": {"extract": r"\\boxed\{([^}]*)\}"}}]


@dataclass(frozen=True)
class SlowOnSeven:
    """Hangs when the completion says 7: the reward must return None for that row, not 0."""

    def __call__(self, completion: str, reference: Any) -> Score:
        if "7" in completion:
            time.sleep(60)
        return Score.judged(1.0 if completion.strip() == str(reference) else 0.0, completion)


register_verifier("test_slow_on_seven")(SlowOnSeven)


def test_reward_scores_standard_and_conversational_completions():
    task = get_task("arithmetic", verifiers=BOXED_EXACT)
    data = trl_dataset(task, limit=3)
    reward = pickle.loads(pickle.dumps(trl_reward(task)))
    assert reward.__name__ == "arithmetic"
    answers = [r["answer"] for r in task.load(limit=3)]
    standard = [f"\\boxed{{{answers[0]}}}", "\\boxed{-5}", "no answer"]
    columns = {k: data[k] for k in data.column_names if k != "prompt"}
    assert reward(data["prompt"], standard, **columns) == [1.0, 0.0, 0.0]
    conversational = [[{"role": "assistant", "content": c}] for c in standard]
    assert reward(data["prompt"], conversational, **columns) == [1.0, 0.0, 0.0]
    # A user's own dataset with the task's reference column works too.
    assert reward(data["prompt"], standard, answer=answers) == [1.0, 0.0, 0.0]
    with pytest.raises(KeyError, match="rlvr_reference"):
        reward(data["prompt"], standard, other=[1, 2, 3])


def test_timeouts_are_none_not_zero():
    task = get_task("arithmetic", verifiers=[{"name": "test_slow_on_seven"}])
    reward = trl_reward(task, timeout_s=1.0)
    out = reward(["p"] * 3, ["12", "70", "13"], answer=["12", "70", "14"])
    assert out == [1.0, None, 0.0]


@dataclass(frozen=True)
class InfraOnSeven:
    """As a sandbox that fails under the completions that say 7: infra_error, our fault."""

    def __call__(self, completion: str, reference: Any) -> Score:
        if "7" in completion:
            return Score.failed(Status.INFRA_ERROR, reason="sandbox unavailable")
        return Score.judged(1.0 if completion.strip() == str(reference) else 0.0, completion)


register_verifier("test_infra_on_seven")(InfraOnSeven)


def test_infra_errors_are_none_not_zero():
    """TRL 1.16 reads None as "not applicable": a row where every reward function said None is
    left out of its group's baseline and gets advantage 0 (GRPOTrainer._generate_and_score_completions)."""
    reward = trl_reward(get_task("arithmetic", verifiers=[{"name": "test_infra_on_seven"}]))
    assert reward(["p"] * 3, ["12", "70", "13"], answer=["12", "70", "14"]) == [1.0, None, 0.0]


def test_verifier_workers_that_cannot_start_stop_the_reward_with_the_cause(unimportable_verifier):
    register_verifier("test_unimportable_for_trl")(type(unimportable_verifier))
    reward = trl_reward(get_task("arithmetic", verifiers=[{"name": "test_unimportable_for_trl"}]))
    with pytest.raises(VerifierPoolBroken, match="ImportError: worker_unimportable needs the parent's set-up"):
        reward(["p"] * 4, ["1", "2", "3", "4"], answer=["1", "2", "3", "4"])  # not four zeros


def test_dataset_prompt_is_the_task_messages():
    task = get_task("countdown")
    data = trl_dataset(task, split="test", limit=2)
    row = task.load(split="test", limit=1)[0]
    assert data[0]["prompt"] == task.build_messages(row)
    assert data[0]["rlvr_id"] == row["id"]


@pytest.mark.slow
@pytest.mark.model
def test_one_real_trl_grpo_step_with_the_task_reward(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    trl = pytest.importorskip("trl")
    from rlvr.trainer.models import default_model_dir, resolve_model

    tokenizer = transformers.AutoTokenizer.from_pretrained(resolve_model(None))
    torch.manual_seed(0)
    config = transformers.LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                                      num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                                      bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                                      pad_token_id=tokenizer.pad_token_id)
    model = transformers.LlamaForCausalLM(config)
    assert default_model_dir().exists()
    # The boxed answer plus a length penalty, so a random model's rewards vary and the step moves weights.
    task = get_task("arithmetic", name="trl_step_task", verifiers=[
        *BOXED_EXACT, {"name": "length", "params": {"max_length": 10, "mode": "penalty", "ramp": 100}}])
    reward = trl_reward(task)
    args = trl.GRPOConfig(
        output_dir=str(tmp_path), per_device_train_batch_size=4, num_generations=4, max_completion_length=8,
        max_steps=1, learning_rate=1e-3, bf16=False, fp16=False, gradient_checkpointing=False, use_cpu=True,
        report_to=[], logging_steps=1, save_strategy="no", seed=0, dataloader_num_workers=0,
    )
    trainer = trl.GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=[reward],
                              train_dataset=trl_dataset(task, limit=8), args=args)
    before = [p.detach().clone() for p in model.parameters()]
    trainer.train()
    logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()}
    assert trainer.state.global_step == 1
    assert "rewards/trl_step_task/mean" in logged
    assert 0.0 < logged["rewards/trl_step_task/mean"] < 1.0
    assert logged["rewards/trl_step_task/std"] > 0.0
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
