"""One typed config tree for a GRPO run: YAML, then ``--set a.b=v`` overrides, validated.

The defaults of these models ARE the main job (``rlvr train`` with no arguments):
``TrainConfig()`` is that run, and ``configs/default.yaml`` writes it out with
comments (a test checks that the two agree; the YAML sets nothing of its own).

``load_config(path=None, overrides=())`` starts from those defaults, merges the
user's YAML over them, then the overrides, and validates the result once. Every
model forbids unknown keys, and every name is checked here, before anything
touches disk: loggers, tasks (each entry is built with its ``params``, so the
task's verifier names are checked too). Any error is a ``ConfigError`` whose
message names the field (``optim.lr``, ``tasks.0.name``) and suggests near
names. Override values are parsed as YAML scalars (``1e-5`` a float, ``[a, b]``
a list, ``null`` None).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rlvr.tasks import get_task
from rlvr.verifiers._user_input import field_errors, merge

from .metric_loggers import validate_logger_names

DEFAULT_CONFIG = Path(__file__).with_name("configs") / "default.yaml"  # TrainConfig() written out


class ConfigError(ValueError):
    """A config that does not validate; the message names each bad field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LoraConfig(_Strict):
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    target_modules: list[str] = ["q_proj", "k_proj", "v_proj", "o_proj"]


class ModelConfig(_Strict):
    name: str | None = None  # None: the default model (SmolLM2-135M-Instruct)
    dtype: Literal["float32", "bfloat16"] = "float32"
    gradient_checkpointing: bool = False  # turns the shared-prompt forward off (see policy_logprobs)
    lora: LoraConfig | None = None


class TaskEntry(_Strict):
    name: str = "arithmetic"  # anything get_task resolves (`rlvr tasks list`, reasoning_gym:<dataset>, a YAML path)
    weight: float = Field(1.0, gt=0)
    params: dict[str, Any] = {}  # passed to get_task(name, **params)
    train_rows: int = Field(5000, ge=1)  # rows loaded from the train split (procedural tasks are unbounded)

    @field_validator("name")
    @classmethod
    def _known(cls, name: str) -> str:
        try:
            get_task(name)
        except (LookupError, ValueError) as exc:  # unknown name (with near names), or a broken task file
            raise ValueError(str(exc)) from None
        return name

    @model_validator(mode="after")
    def _params_apply(self) -> TaskEntry:
        if self.params:  # the task with these overrides: bad keys and unknown verifier names fail here
            try:
                get_task(self.name, **self.params)
            except (LookupError, ValueError, TypeError) as exc:
                raise ValueError(f"params: {exc}".replace("\n", "\n    ")) from None
        return self


class VllmConfig(_Strict):
    """``rollout.engine: vllm``: where the vLLM server runs and how rollouts from it are corrected."""

    python: str | None = None  # the vLLM venv's interpreter: rlvr starts and owns the server (vllm_server.py)
    url: str | None = None  # a vllm_server.py someone else runs, on this host (weights go through /dev/shm)
    port: int = Field(0, ge=0, le=65535)  # the owned server's port; 0: a free one
    start_timeout_s: float = Field(300.0, gt=0)  # engine start took 40 s on a loaded 2-core CPU
    request_timeout_s: float = Field(1800.0, gt=0)  # one step's generation, or one weight load
    dtype: Literal["float32", "bfloat16"] | None = None  # the server's copy; null: model.dtype, as the trainer's
    # no torch.compile / CUDA graphs. On the 2-core CPU the compile took 75 s of a 100 s engine start and
    # generated no faster (45.5 vs 46.5 tok/s); on a GPU set it false (CUDA graphs pay there)
    enforce_eager: bool = True
    max_model_len: int | None = Field(None, ge=16)  # prompt + completion per sequence; null: the model's own
    gpu_memory_utilization: float = Field(0.3, gt=0, le=1)  # on CUDA: the share of the GPU vLLM may take
    cpu_kvcache_gb: int = Field(1, ge=1)  # on CPU: VLLM_CPU_KVCACHE_SPACE, the KV cache in GiB (whole GiB)
    max_restarts: int = Field(3, ge=0)  # an owned server that dies is restarted this often per run, then it fails
    # Truncated importance sampling (TRL's vllm_importance_sampling_*): the loss of each token is weighted by
    # pi_trainer / pi_vllm of the sampled token, truncated at `importance_sampling_cap`; null turns it off.
    importance_sampling: Literal["token_truncate", "token_mask", "sequence_truncate", "sequence_mask"] | None = (
        "token_truncate")
    importance_sampling_cap: float = Field(3.0, gt=1)


class RolloutConfig(_Strict):
    engine: Literal["hf", "vllm"] = "hf"  # hf: rlvr's own sampler on the policy; vllm: a vLLM server (rollout.vllm)
    vllm: VllmConfig = VllmConfig()
    prompts_per_step: int = Field(8, ge=1)  # B, across all ranks
    group_size: int = Field(8, ge=2)  # G completions per prompt
    max_new_tokens: int = Field(64, ge=1)
    temperature: float = Field(1.0, gt=0)
    top_p: float = Field(1.0, gt=0, le=1)
    # prompts per decode loop of the hf engine (vLLM schedules its own); null: the whole batch at once
    # (fastest). Smaller chunks bound the KV cache (chunk x G rows) on a small device. Scoring overlaps
    # generation either way: each group goes to the verifier pool as soon as its rows have ended.
    generation_groups: int | None = Field(None, ge=1)
    dynamic_sampling: bool = False  # DAPO: drop zero-variance groups and sample new prompts
    max_resample_rounds: int = Field(2, ge=0)  # bounded, so a task the model always fails cannot stall a step

    @model_validator(mode="after")
    def _engine(self) -> RolloutConfig:
        v = self.vllm
        if self.engine == "vllm" and (v.python is None) == (v.url is None):
            raise ValueError("rollout.engine=vllm needs exactly one of rollout.vllm.python (the vLLM venv's "
                             "interpreter; rlvr starts the server) or rollout.vllm.url (a server already running)")
        if self.engine == "hf" and (v.python is not None or v.url is not None):
            raise ValueError("rollout.vllm.python / rollout.vllm.url are set but rollout.engine is hf: "
                             "add --set rollout.engine=vllm, or drop them")
        if v.python is not None and not Path(v.python).is_file():
            raise ValueError(f"rollout.vllm.python: no such interpreter {v.python!r} "
                             f"(build the vLLM venv with: bash scripts/setup.sh --vllm)")
        return self


class VerifyConfig(_Strict):
    timeout_s: float = Field(10.0, gt=0)
    workers: int = Field(2, ge=1)
    # A step where at least this share of rows is error or infra_error stops the run (1.0: all of
    # them), at least warn_failed_share logs a warning; see rlvr.trainer.reward_health.
    stop_failed_share: float = Field(1.0, gt=0, le=1)
    warn_failed_share: float = Field(0.25, gt=0, le=1)
    url: str | None = None  # `rlvr serve` replica(s), comma-separated: score there instead of in local workers
    token_file: str | None = None  # the servers' bearer token, read from a file so the saved config holds none

    @model_validator(mode="after")
    def _check(self) -> VerifyConfig:
        if self.warn_failed_share > self.stop_failed_share:
            raise ValueError(f"warn_failed_share ({self.warn_failed_share}) must not exceed stop_failed_share "
                             f"({self.stop_failed_share})")
        return self


class LossConfig(_Strict):
    type: Literal["grpo", "dapo", "dr_grpo"] = "dapo"
    scale_rewards: Literal["group", "batch", "none"] = "group"
    adv_eps: float = Field(1e-4, ge=0)
    epsilon_low: float = Field(0.2, ge=0, lt=1)
    epsilon_high: float = Field(0.2, ge=0)
    beta: float = Field(0.0, ge=0)  # KL weight; 0 loads no reference model
    num_iterations: int = Field(1, ge=1)  # mu: optimizer passes over each batch


class OptimConfig(_Strict):
    lr: float = Field(1e-5, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    betas: tuple[float, float] = (0.9, 0.999)
    schedule: Literal["cosine", "constant"] = "constant"
    warmup_steps: int = Field(0, ge=0)
    min_lr_ratio: float = Field(0.0, ge=0, le=1)  # cosine floor, as a fraction of lr
    max_grad_norm: float | None = Field(1.0, gt=0)


class EvalConfig(_Strict):
    limit: int = Field(100, ge=0)  # held-out problems; 0 turns evaluation off
    every: int = Field(4, ge=0)  # steps between evals; 0: only before and after training
    max_new_tokens: int | None = None  # None: each task's generation.max_new_tokens, as `rlvr eval`
    batch_size: int = Field(32, ge=1)


class TrainConfig(_Strict):
    """A GRPO run; the defaults are the main job (see the module docstring)."""

    seed: int = 0
    run_dir: str = "runs/grpo-arithmetic"
    steps: int = Field(8, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    bf16_autocast: bool = True  # on CUDA only; CPU runs stay fp32
    # torch threads on CPU. 1: on a shared 2-core CPU, 2 threads made sampling 6-20x slower
    # (OpenMP threads waiting on each other); null lets torch choose (quiet or bigger machines).
    threads: int | None = Field(1, ge=1)
    save_every: int = Field(0, ge=0)  # 0: only at the end
    keep_checkpoints: int = Field(2, ge=1)
    samples_every: int = Field(1, ge=0)  # write samples/step_N.jsonl every N steps; 0: never
    loggers: list[str] = ["jsonl"]  # see metric_loggers.LOGGER_NAMES
    progress: bool = True
    model: ModelConfig = ModelConfig()
    tasks: list[TaskEntry] = Field(default_factory=lambda: [TaskEntry()], min_length=1)
    rollout: RolloutConfig = RolloutConfig()
    verify: VerifyConfig = VerifyConfig()
    loss: LossConfig = LossConfig()
    optim: OptimConfig = OptimConfig()
    eval: EvalConfig = EvalConfig()

    @field_validator("loggers")
    @classmethod
    def _known_loggers(cls, names: list[str]) -> list[str]:
        return validate_logger_names(names)

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        if self.loss.num_iterations > 1 and self.loss.epsilon_high <= 0 and self.loss.epsilon_low <= 0:
            raise ValueError("loss.num_iterations > 1 needs a clip range (loss.epsilon_low / epsilon_high)")
        if self.model.gradient_checkpointing and self.model.lora is not None:
            raise ValueError("model.gradient_checkpointing with model.lora is not supported yet")
        if self.rollout.engine == "vllm" and self.model.lora is not None:
            raise ValueError("rollout.engine=vllm with model.lora is not supported yet (the server takes full weights)")
        return self


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node: Any = tree
    for depth, key in enumerate(keys[:-1]):
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ConfigError(f"{'.'.join(keys[:depth + 1])}: no list item {key!r} (--set {dotted}=...)")
            node = node[int(key)]
            continue
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        if not isinstance(child, dict | list):
            raise ConfigError(f"{'.'.join(keys[:depth + 1])} is a value, not a section (--set {dotted}=...)")
        node = child
    last = keys[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise ConfigError(f"{dotted}: no list item {last!r}")
        node[int(last)] = value
    else:
        node[last] = value


def parse_override(item: str) -> tuple[str, Any]:
    """'optim.lr=1e-5' -> ('optim.lr', 1e-5): the value is read as a YAML scalar."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects KEY=VALUE (e.g. optim.lr=1e-5), got {item!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    # YAML 1.1 reads 1e-5 as a string (no dot): accept it as the number it means.
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value) if any(c in value for c in "eE.") else value
    return key.strip(), value


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping, got {type(data).__name__}")
    return data


def validate(tree: dict[str, Any], source: str = "config") -> TrainConfig:
    try:
        return TrainConfig.model_validate(tree)
    except ValidationError as exc:
        raise ConfigError(f"invalid {source}:\n  " + "\n  ".join(field_errors(exc))) from None


def load_config(path: str | Path | None = None, overrides: Iterable[str] = ()) -> TrainConfig:
    """The defaults (``TrainConfig()``) <- the user's YAML <- ``--set`` overrides, validated once."""
    tree = TrainConfig().model_dump(mode="json")
    source = "config"
    if path is not None:
        tree = merge(tree, _read_yaml(Path(path)))
        source = str(path)
    for item in overrides:
        key, value = parse_override(item)
        _set(tree, key, value)
    return validate(tree, source)


def dump_config(cfg: TrainConfig, path: Path) -> None:
    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False))


def check_tasks_match(cfg: TrainConfig, tasks: Sequence[Any]) -> None:
    """``train(cfg, tasks=[...])``: the tasks must be the ones ``cfg.tasks`` names, in order,
    because their weights and row counts come from those entries and the run saves ``cfg``."""
    given = [getattr(t, "name", None) for t in tasks]
    named = [e.name for e in cfg.tasks]
    if given != named:
        raise ConfigError(f"train(tasks=...) got tasks {given} but cfg.tasks names {named}: the run would save a "
                          f"config.yaml naming tasks it did not train on. Name them in cfg.tasks (a task built in "
                          f"Python: rlvr.tasks.register_task(factory, name=...) first), one entry per task, in order")
