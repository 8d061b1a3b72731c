"""Shared fixtures for the trainer tests: a tiny random Llama with the real tokenizer,
a small addition task that implements the ``rlvr.tasks.Task`` interface with real
verifiers, and ``tiny_train_config`` for fast loop tests on the tiny model.

A random model never writes a boxed sum, so loop tests on it reward a word
starting with a, b or c (``ABC_WORD``): a real verifier that gives the random
model's groups reward variance, hence real gradients."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rlvr.verifiers import ExactMatch, RegexMatch


@dataclass
class _Generation:
    max_new_tokens: int = 32


@dataclass
class _VerifierEntry:
    key: str = "boxed"
    weight: float = 1.0  # `rlvr tasks ls` lists every registered task, this one included


@dataclass
class BoxedAddition:
    """``a + b`` with the answer in \\boxed{}; row i of a split is a pure function of (split, i)."""

    name: str = "boxed_addition"
    eval_split: str = "test"
    generation: _Generation = field(default_factory=_Generation)
    rule: Any = None  # a Verifier to use instead of the boxed exact match
    verifiers: list[_VerifierEntry] = field(default_factory=lambda: [_VerifierEntry()])

    def model_dump(self, mode: str = "python") -> dict[str, Any]:  # the task config results files record
        return {"name": self.name, "eval_split": self.eval_split, "rule": repr(self.rule)}

    def load(self, split: str = "train", limit: int | None = None, seed: int | None = None) -> list[dict]:
        rows = []
        for i in range(limit or 200):
            rng = random.Random(f"{split}:{i}")
            a, b = rng.randint(1, 20), rng.randint(1, 20)
            rows.append({"id": f"{split}-{i}", "question": f"What is {a} + {b}?", "answer": str(a + b)})
        return rows

    def build_messages(self, row: dict) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": "Put the final answer in \\boxed{}."},
            {"role": "user", "content": "What is 2 + 3?"},
            {"role": "assistant", "content": "2 + 3 = 5. \\boxed{5}"},
            {"role": "user", "content": row["question"]},
        ]

    def reference(self, row: dict) -> str:
        return row["answer"]

    def verifier(self) -> Any:
        return self.rule if self.rule is not None else ExactMatch(extract=r"\\boxed\{([^}]*)\}")

    def score(self, completion: str, row: dict):
        return self.verifier()(completion, self.reference(row))


@pytest.fixture
def addition_task() -> BoxedAddition:
    return BoxedAddition()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A 2-layer random Llama (hidden 64) saved with the default model's real tokenizer."""
    return _tiny_llama(tmp_path_factory.mktemp("tiny-llama"), hidden=64, heads=4)


@pytest.fixture(scope="session")
def tiny_vllm_model_dir(tmp_path_factory) -> Path:
    """The tiny Llama with a head size vLLM's CPU attention runs (64; it refuses 16)."""
    return _tiny_llama(tmp_path_factory.mktemp("tiny-llama-vllm"), hidden=128, heads=2)


def _tiny_llama(path: Path, hidden: int, heads: int) -> Path:
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from rlvr.trainer.models import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(resolve_model(None))
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=2, num_attention_heads=heads, num_key_value_heads=heads // 2,
                         max_position_embeddings=1024,
                         tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    model = LlamaForCausalLM(config)
    model.save_pretrained(path, safe_serialization=True)
    tokenizer.save_pretrained(path)
    return path


ABC_WORD = RegexMatch(pattern=r" [a-c]")


class HangsOnSomeRows:
    """ABC_WORD, except that it hangs on completions whose length divides by 3: those rows
    come back from the verifier pool as timeouts."""

    def __call__(self, completion: str, reference: str) -> Any:
        if len(completion) % 3 == 0:
            time.sleep(60)
        return ABC_WORD(completion, reference)


@pytest.fixture
def abc_word_task() -> BoxedAddition:
    return BoxedAddition(rule=ABC_WORD)


@pytest.fixture
def tiny_config(tiny_model_dir: Path):
    """``tiny_config(run_dir, *overrides)``: a fast config for loop tests (tiny model, the
    boxed_addition task, 2 prompts x 4 completions, 8 new tokens, no eval)."""
    return lambda run_dir, *overrides: _tiny_config(tiny_model_dir, run_dir, *overrides)


@pytest.fixture
def tiny_vllm_config(tiny_vllm_model_dir: Path, vllm_python: str):
    """``tiny_config`` on the vLLM-sized tiny model, with ``rollout.engine=vllm`` from the vLLM venv."""
    return lambda run_dir, *overrides: _tiny_config(tiny_vllm_model_dir, run_dir, "rollout.engine=vllm",
                                                    f"rollout.vllm.python={vllm_python}", *overrides)


def _tiny_config(model_dir: Path, run_dir: Path, *overrides: str):
    from rlvr.tasks import available_tasks, register_task
    from rlvr.trainer.config import load_config

    # Registered, so that the config can name it (load_config resolves every task name) and
    # train(cfg, tasks=[BoxedAddition(rule=...)]) passes instances of the task the config names.
    # Here, not at import: verifier workers import this module to unpickle the rules.
    if "boxed_addition" not in available_tasks():
        register_task(BoxedAddition, name="boxed_addition")

    return load_config(None, [
        f"model.name={model_dir}", f"run_dir={run_dir}", "tasks.0.name=boxed_addition", "steps=2", "device=cpu", "threads=1",
        "rollout.prompts_per_step=2", "rollout.group_size=4", "rollout.max_new_tokens=8",
        "eval.limit=0", "progress=false", "verify.workers=1", "optim.lr=1e-3", *overrides,
    ])


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "vllm: runs a real vLLM server from the vLLM venv (skipped only without it)")


@pytest.fixture(scope="session")
def vllm_python() -> str:
    """The vLLM venv's interpreter: $RLVR_VLLM_PYTHON, else .venv-vllm/bin/python at the repo root."""
    import os

    path = Path(os.environ.get("RLVR_VLLM_PYTHON") or Path(__file__).parents[2] / ".venv-vllm" / "bin" / "python")
    if not path.is_file():
        pytest.skip(f"no vLLM venv at {path}: build it with `bash scripts/setup.sh --vllm` "
                    f"(or point RLVR_VLLM_PYTHON at one)")
    return str(path)
