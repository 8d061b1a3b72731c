"""Shared fixtures for the trainer tests: a tiny random Llama with the real tokenizer, the
addition task of ``trainer_fakes``, and ``tiny_config`` for fast loop tests on the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest
from trainer_fakes import ABC_WORD, BoxedAddition, tiny_train_config


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


@pytest.fixture
def abc_word_task() -> BoxedAddition:
    return BoxedAddition(rule=ABC_WORD)


@pytest.fixture
def tiny_config(tiny_model_dir: Path):
    """``tiny_config(run_dir, *overrides)``: a fast config for loop tests (tiny model, the
    boxed_addition task, 2 prompts x 4 completions, 8 new tokens, no eval)."""
    return lambda run_dir, *overrides: tiny_train_config(tiny_model_dir, run_dir, *overrides)


@pytest.fixture
def tiny_vllm_config(tiny_vllm_model_dir: Path, vllm_python: str):
    """``tiny_config`` on the vLLM-sized tiny model, with ``rollout.engine=vllm`` from the vLLM venv."""
    return lambda run_dir, *overrides: tiny_train_config(tiny_vllm_model_dir, run_dir, "rollout.engine=vllm",
                                                    f"rollout.vllm.python={vllm_python}", *overrides)
