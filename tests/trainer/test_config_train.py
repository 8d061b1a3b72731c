"""The GRPO config tree: shipped YAMLs validate, overrides parse, errors name the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlvr.trainer.config import DEFAULT_CONFIG, ConfigError, TrainConfig, load_config, parse_override

SHIPPED = sorted(DEFAULT_CONFIG.parent.glob("*.yaml"))


def test_shipped_configs_are_found() -> None:
    assert DEFAULT_CONFIG in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_config_validates(path: Path) -> None:
    cfg = load_config(path)
    assert isinstance(cfg, TrainConfig)
    assert cfg.rollout.prompts_per_step >= 1


def test_default_is_the_main_job() -> None:
    cfg = load_config()
    assert cfg.model.name is None  # the default model
    assert [t.name for t in cfg.tasks] == ["arithmetic"]
    assert (cfg.rollout.prompts_per_step, cfg.rollout.group_size, cfg.rollout.max_new_tokens) == (8, 8, 64)
    assert (cfg.optim.lr, cfg.optim.schedule, cfg.steps, cfg.eval.every) == (1e-5, "constant", 8, 4)  # the sweep's
    assert cfg.loss.beta == 0.0 and cfg.loss.num_iterations == 1
    assert cfg.eval.limit == 100


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("optim.lr=1e-5", ("optim.lr", 1e-5)),
        ("optim.lr=3.0e-5", ("optim.lr", 3e-5)),
        ("steps=7", ("steps", 7)),
        ("model.name=null", ("model.name", None)),
        ("loggers=[jsonl, tensorboard]", ("loggers", ["jsonl", "tensorboard"])),
        ("run_dir=runs/x", ("run_dir", "runs/x")),
        ("loss.type=dr_grpo", ("loss.type", "dr_grpo")),
    ],
)
def test_override_values_are_yaml_scalars(item: str, expected: tuple) -> None:
    assert parse_override(item) == expected


def test_overrides_reach_nested_fields_and_list_items() -> None:
    cfg = load_config(None, ["optim.lr=1e-5", "rollout.group_size=4", "tasks.0.weight=2", "loss.scale_rewards=none"])
    assert cfg.optim.lr == 1e-5
    assert cfg.rollout.group_size == 4
    assert cfg.tasks[0].weight == 2.0
    assert cfg.loss.scale_rewards == "none"


def test_user_yaml_merges_over_default(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("steps: 3\noptim:\n  lr: 2.0e-5\n")
    cfg = load_config(path, ["steps=5"])
    assert cfg.steps == 5  # --set wins over the file
    assert cfg.optim.lr == 2e-5
    assert cfg.optim.max_grad_norm == 1.0  # untouched keys keep the default


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("optim.lr=abc", "optim.lr"),
        ("optim.lr=-1", "optim.lr"),
        ("rollout.group_size=1", "rollout.group_size"),
        ("loss.type=ppo", "loss.type"),
        ("optim.lrr=1e-5", "optim.lrr"),  # unknown keys are errors, not silently ignored
        ("tasks.0.wieght=2", "tasks.0.wieght"),
    ],
)
def test_bad_values_name_the_field(override: str, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, [override])
    assert field in str(info.value)


def test_malformed_override_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KEY=VALUE") as info:
        load_config(None, ["optim.lr"])
    advised = str(info.value).split("(e.g. ")[1].split(")")[0]
    assert load_config(None, [advised]).optim.lr == 1e-5  # the example it gives works as written
    with pytest.raises(ConfigError, match="no list item"):
        load_config(None, ["tasks.3.weight=1"])
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_cross_field_rule() -> None:
    with pytest.raises(ConfigError, match="gradient_checkpointing"):
        load_config(None, ["model.gradient_checkpointing=true", "model.lora={r: 8}"])


def test_cli_bad_value_exits_nonzero_naming_field_without_touching_run_dir(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "metrics.jsonl").write_text('{"step": 1}\n')
    before = sorted(p.name for p in run_dir.iterdir())
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr.cli", "train", "--set", f"run_dir={run_dir}", "--set", "optim.lr=abc"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "optim.lr" in proc.stderr
    assert sorted(p.name for p in run_dir.iterdir()) == before
    assert (run_dir / "metrics.jsonl").read_text() == '{"step": 1}\n'


def test_cli_print_config_is_the_resolved_tree() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr.cli", "train", "--print-config", "--set", "steps=3"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    import yaml

    tree = yaml.safe_load(proc.stdout)
    assert tree["steps"] == 3
    assert TrainConfig.model_validate(tree).steps == 3  # what a run saves reloads as is


def test_the_defaults_have_one_source() -> None:
    """TrainConfig() is the main job; the shipped default.yaml writes it out and sets nothing else."""
    assert TrainConfig() == load_config(None) == load_config(DEFAULT_CONFIG)
    assert (TrainConfig().steps, TrainConfig().run_dir) == (8, "runs/grpo-arithmetic")


@pytest.mark.parametrize(
    ("override", "field", "suggested"),
    [
        ("loggers=[jsnol]", "loggers", "Did you mean 'jsonl'"),
        ("tasks.0.name=arithmetc", "tasks.0.name", "Did you mean 'arithmetic'"),
        ("tasks.0.params={verifiers: [{name: mathh}]}", "tasks.0", "Did you mean 'math'"),
    ],
)
def test_unknown_names_fail_in_load_config_before_any_run_dir(tmp_path: Path, override: str, field: str,
                                                             suggested: str) -> None:
    from typer.testing import CliRunner

    from rlvr.cli.main import app

    with pytest.raises(ConfigError) as info:
        load_config(None, [override])
    assert f"\n  {field}: " in str(info.value) and suggested in str(info.value)
    run_dir = tmp_path / "run"
    result = CliRunner().invoke(app, ["train", "--set", f"run_dir={run_dir}", "--set", override])
    assert result.exit_code == 2 and field in result.output
    assert not run_dir.exists()


def test_train_refuses_tasks_the_config_does_not_name(tmp_path: Path) -> None:
    """train(cfg, tasks=[...]) once paired the tasks with cfg.tasks' weights and saved a config.yaml
    naming tasks the run did not train on."""
    from rlvr.tasks import get_task
    from rlvr.trainer.train_loop import train

    cfg = load_config(None, [f"run_dir={tmp_path / 'run'}"])  # names arithmetic
    with pytest.raises(ConfigError, match=r"got tasks \['countdown'\] but cfg.tasks names \['arithmetic'\]"):
        train(cfg, tasks=[get_task("countdown")])
    with pytest.raises(ConfigError, match="got tasks"):
        train(cfg, tasks=[get_task("arithmetic"), get_task("countdown")])
    assert not (tmp_path / "run").exists()


# --- rollout.engine: vllm ---


def test_the_default_engine_is_hf_and_vllm_needs_a_server(tmp_path: Path) -> None:
    assert TrainConfig().rollout.engine == "hf"
    cfg = load_config(None, ["rollout.engine=vllm", f"rollout.vllm.python={sys.executable}"])
    assert (cfg.rollout.engine, cfg.rollout.vllm.python, cfg.rollout.vllm.url) == ("vllm", sys.executable, None)
    cfg = load_config(None, ["rollout.engine=vllm", "rollout.vllm.url=http://127.0.0.1:8000"])
    assert cfg.rollout.vllm.importance_sampling == "token_truncate" and cfg.rollout.vllm.importance_sampling_cap == 3.0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["rollout.engine=vllm"], "needs exactly one of rollout.vllm.python"),
        (["rollout.engine=vllm", f"rollout.vllm.python={sys.executable}", "rollout.vllm.url=http://h:1"],
         "needs exactly one of rollout.vllm.python"),
        ([f"rollout.vllm.python={sys.executable}"], "but rollout.engine is hf"),
        (["rollout.vllm.url=http://h:1"], "but rollout.engine is hf"),
        (["rollout.engine=vllm", "rollout.vllm.python=/no/such/venv/bin/python"], "no such interpreter"),
        (["rollout.engine=vllm", "rollout.vllm.url=http://h:1", "model.lora={r: 8}"], "with model.lora"),
        (["rollout.engine=gpu"], "rollout.engine"),
        (["rollout.vllm.importance_sampling=token_clip"], "rollout.vllm.importance_sampling"),
        (["rollout.vllm.importance_sampling_cap=1.0"], "rollout.vllm.importance_sampling_cap"),
        (["rollout.vllm.cpu_kvcache_gb=0"], "rollout.vllm.cpu_kvcache_gb"),
        (["rollout.vllm.port=70000"], "rollout.vllm.port"),
        (["rollout.vllm.gpu_memory_utilization=1.5"], "rollout.vllm.gpu_memory_utilization"),
        (["rollout.vllm.max_model_len=8"], "rollout.vllm.max_model_len"),
        (["rollout.vllm.pyhton=x"], "rollout.vllm.pyhton"),
    ],
)
def test_vllm_settings_are_validated(overrides: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, overrides)
    assert message in str(info.value)


def test_importance_sampling_can_be_turned_off() -> None:
    cfg = load_config(None, ["rollout.engine=vllm", "rollout.vllm.url=http://h:1",
                             "rollout.vllm.importance_sampling=null"])
    assert cfg.rollout.vllm.importance_sampling is None
