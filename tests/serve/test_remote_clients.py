"""rlvr's own clients of a real server: `rlvr eval --verifier-url`, the train config, and a one-step TRL
GRPOTrainer run whose reward function scores on the server."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rlvr.cli.main import app
from rlvr.tasks import get_task, trl_dataset, trl_reward
from rlvr.trainer.config import TrainConfig
from rlvr.verifiers import VerifierPool, get_verifier
from rlvr.verifiers.remote import RemoteVerifierPool, open_pool

pytestmark = pytest.mark.slow


def _completions_file(tmp_path, rows):
    path = tmp_path / "completions.jsonl"
    answers = [int(r["answer"]) + (i == 1) for i, r in enumerate(rows)]  # right, wrong, right
    path.write_text("".join(json.dumps({"id": r["id"], "completion": f"So \\boxed{{{a}}}."}) + "\n"
                            for r, a in zip(rows, answers, strict=True)))
    return path


def test_eval_scores_on_the_server_and_masks_when_it_is_gone(math_server, tmp_path):
    rows = get_task("arithmetic").load(split="test", limit=3)
    completions = _completions_file(tmp_path, rows)
    before = math_server.metric("rlvr_serve_rows_total")
    out = tmp_path / "remote"
    result = CliRunner().invoke(app, ["eval", "--task", "arithmetic", "--completions", str(completions),
                                      "--limit", "3", "--out", str(out), "--verifier-url", math_server.url])
    assert result.exit_code == 0, result.output
    doc = json.loads(next(out.glob("results_*.json")).read_text())
    assert doc["results"]["arithmetic"]["pass@1"] == pytest.approx(2 / 3)
    assert math_server.metric("rlvr_serve_rows_total") == before + 3
    # A server that is not there: rows are infra_error (counted, masked), not wrong answers.
    with RemoteVerifierPool("http://127.0.0.1:9", attempts=1) as dead:
        scores = dead.map(get_task("arithmetic").verifier(), ["\\boxed{1}"], ["1"])
    assert scores[0].status.value == "infra_error"


def test_train_config_takes_a_verifier_url_and_opens_the_matching_pool(tmp_path):
    token = tmp_path / "token"
    token.write_text("abc\n")
    cfg = TrainConfig.model_validate({"verify": {"url": "http://a:8000,http://b:8000", "token_file": str(token)}})
    with open_pool(cfg.verify.url, token_file=cfg.verify.token_file) as pool:
        assert isinstance(pool, RemoteVerifierPool)
        assert pool.urls == ["http://a:8000", "http://b:8000"]
    local = open_pool(None, workers=1)
    assert isinstance(local, VerifierPool)
    local.close()
    with pytest.raises(TypeError, match="spec"), RemoteVerifierPool("http://a:8000") as pool:
        pool.map(get_verifier("math"), ["x"], ["y"])  # built by hand: no spec to send


@pytest.mark.model
def test_one_trl_grpo_step_whose_reward_function_calls_the_server(math_server, tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    trl = pytest.importorskip("trl")
    from rlvr.trainer.models import resolve_model

    path = resolve_model(None)
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    task = get_task("arithmetic")
    reward = trl_reward(task, url=math_server.url)
    before = math_server.metric("rlvr_serve_rows_total")
    args = trl.GRPOConfig(
        output_dir=str(tmp_path), per_device_train_batch_size=4, num_generations=2, max_completion_length=8,
        max_steps=1, learning_rate=1e-6, bf16=False, fp16=False, gradient_checkpointing=False, use_cpu=True,
        report_to=[], logging_steps=1, save_strategy="no", seed=0, dataloader_num_workers=0,
    )
    trainer = trl.GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=[reward],
                              train_dataset=trl_dataset(task, limit=2), args=args)
    trainer.train()
    logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()}
    assert trainer.state.global_step == 1
    assert "rewards/arithmetic/mean" in logged
    assert math_server.metric("rlvr_serve_rows_total") == before + 4  # 2 prompts x 2 completions, scored there
