"""TransformersGenerator with the real default model: batching, EOS cutting, seeding."""

from __future__ import annotations

import pytest

from rlvr.evals.generation import Generator, SamplingParams
from rlvr.tasks import get_task

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def generator():
    pytest.importorskip("torch")
    from rlvr.evals.transformers_generator import TransformersGenerator
    from rlvr.trainer.models import load_model_and_tokenizer

    model, tokenizer = load_model_and_tokenizer()
    return TransformersGenerator(model, tokenizer, batch_size=8)


@pytest.fixture(scope="module")
def conversations():
    task = get_task("arithmetic")
    return [task.build_messages(r) for r in task.load(split="test", limit=2)]


def test_greedy_is_deterministic_batched_like_alone_and_cut_at_eos(generator, conversations):
    assert isinstance(generator, Generator)
    params = SamplingParams(n=2, max_new_tokens=16)
    both = generator.generate(conversations, params)
    assert [len(c) for c in both] == [2, 2]
    assert both[0][0] == both[0][1]  # greedy: n identical completions
    alone = generator.generate(conversations[1:], SamplingParams(n=1, max_new_tokens=16))
    assert alone[0][0].token_ids == both[1][0].token_ids  # left padding does not change the result
    eos = generator.tokenizer.eos_token_id
    for completion in (both[0][0], both[1][0]):
        ids = completion.token_ids
        assert 0 < len(ids) <= 16 and eos not in ids[:-1]  # nothing after the first EOS
        assert completion.finished == (ids[-1] == eos)
        assert completion.text == generator.tokenizer.decode(ids, skip_special_tokens=True)


def test_sampling_is_seeded_and_clipping_is_reported(generator, conversations):
    params = SamplingParams(n=3, max_new_tokens=6, temperature=3.0, top_p=1.0, seed=7)  # hot: samples differ
    first = generator.generate(conversations[:1], params)[0]
    again = generator.generate(conversations[:1], params)[0]
    assert [c.token_ids for c in first] == [c.token_ids for c in again]
    other = generator.generate(conversations[:1], SamplingParams(n=3, max_new_tokens=6, temperature=3.0, seed=8))[0]
    assert [c.token_ids for c in other] != [c.token_ids for c in first]
    clipped = generator.generate(conversations[:1], SamplingParams(max_new_tokens=4))[0][0]
    assert len(clipped.token_ids) == 4 and clipped.finished is False  # "51 + 5 = 56 ..." needs more than 4


def test_bad_params_are_refused():
    with pytest.raises(ValueError):
        SamplingParams(n=0)
    with pytest.raises(ValueError):
        SamplingParams(top_p=0.0)
    with pytest.raises(ValueError):
        SamplingParams(temperature=-1.0)
