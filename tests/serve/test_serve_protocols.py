"""The peers' own clients against a real `rlvr serve`: OpenRLHF's reward request, the sandbox-fusion
client, and rlvr's /v1/verify."""

from __future__ import annotations

import asyncio
import base64

import aiohttp
import httpx
import pytest

pytestmark = pytest.mark.slow


def _openrlhf_fetch_rewards(url: str, queries: list[str], prompts: list[str], labels: list[str]) -> dict:
    """OpenRLHF 0.11's request, as ``SingleTurnAgentExecutor._fetch_rewards_via_http`` sends it
    (openrlhf/utils/agent.py; the package does not import without its GPU stack), and the way it reads
    the reply: ``rewards``, ``scores`` falling back to ``rewards``, ``extra_logs``."""

    async def post() -> dict:
        payload = {"query": queries, "prompts": prompts, "labels": labels}
        timeout = aiohttp.ClientTimeout(total=180)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.post(url, json=payload) as response:
            response.raise_for_status()
            return await response.json()

    info = asyncio.run(post())
    score_value = info.get("scores")
    if score_value is None:
        score_value = info.get("rewards")
    return {"reward": info.get("rewards"), "scores": score_value, "extra_logs": info.get("extra_logs") or {}}


def test_openrlhf_remote_reward_request_gets_rewards(math_server):
    # query = the decoded prompt + response, special tokens kept; the worked example in the prompt
    # holds a \boxed{42} that must not count as the model's answer.
    prompt = "<|im_start|>user\nExample: 17 + 25 = \\boxed{42}. Now: 2 + 3?<|im_end|>\n<|im_start|>assistant\n"
    queries = [prompt + "2 + 3 = \\boxed{5}<|im_end|>", prompt + "I think it is \\boxed{6}<|im_end|>",
               prompt + "no idea<|im_end|>"]
    got = _openrlhf_fetch_rewards(f"{math_server.url}/get_reward", queries, [prompt] * 3, ["5", "5", "5"])
    assert got["reward"] == [1.0, 0.0, 0.0]
    assert got["scores"] == [1.0, 0.0, 0.0]
    assert got["extra_logs"] == {"verifier_scored": [1.0, 1.0, 1.0]}


def test_openrlhf_oldest_request_without_labels_is_a_422_naming_labels(math_server):
    response = httpx.post(f"{math_server.url}/get_reward", json={"query": ["x"]})  # remote_rm_fn's {"query": ...}
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "labels"]


def test_verify_endpoint_by_task_and_by_verifier_spec(math_server):
    by_task = httpx.post(f"{math_server.url}/v1/verify", json={
        "task": "arithmetic", "completions": ["\\boxed{7}", "\\boxed{8}"], "references": ["7", "7"]}).json()
    assert [(s["value"], s["status"]) for s in by_task["scores"]] == [(1.0, "ok"), (0.0, "ok")]
    by_spec = httpx.post(f"{math_server.url}/v1/verify", json={
        "verifiers": [{"name": "math", "weight": 3}, {"name": "tags", "params": {"tags": ["answer"]}}],
        "completions": ["<answer>\\boxed{1/2}</answer>", "\\boxed{0.5}"], "references": ["0.5", "0.5"]}).json()
    assert [s["value"] for s in by_spec["scores"]] == [1.0, 0.75]
    assert by_spec["scores"][1]["details"]["tags"]["value"] == 0.0


def test_a_client_cannot_choose_the_code_sandbox(math_server):
    response = httpx.post(f"{math_server.url}/v1/verify", json={
        "verifiers": [{"name": "code", "params": {"sandbox": {"backend": "process"}, "self_check": False}}],
        "completions": ["print(1)"], "references": [{"tests": []}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "verifiers", 0, "params"]


def test_a_task_path_is_not_read_from_the_server_disk(math_server, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("name: t\n")
    response = httpx.post(f"{math_server.url}/v1/verify",
                          json={"task": str(path), "completions": ["x"], "references": ["1"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "task"]


@pytest.mark.docker
def test_sandbox_fusion_client_runs_python_through_run_code(math_server):
    from sandbox_fusion import RunCodeRequest, RunStatus, run_code

    files = {"data.txt": base64.b64encode(b"from a file\n").decode()}
    ok = run_code(RunCodeRequest(code="print(input()[::-1]); print(open('data.txt').read(), end='')",
                                 stdin="abc", language="python", files=files), endpoint=math_server.url)
    assert ok.status == RunStatus.Success
    assert ok.run_result.status == "Finished" and ok.run_result.return_code == 0
    assert ok.run_result.stdout == "cba\nfrom a file\n"
    failed = run_code(RunCodeRequest(code="import sys; sys.exit(3)", language="python"), endpoint=math_server.url)
    assert failed.status == RunStatus.Failed and failed.run_result.return_code == 3
    slow = run_code(RunCodeRequest(code="while True: pass", language="python", run_timeout=1),
                    endpoint=math_server.url)
    assert slow.status == RunStatus.Failed and slow.run_result.status == "TimeLimitExceeded"
    # Untrusted code over HTTP keeps the sandbox's guarantees: no network inside.
    net = run_code(RunCodeRequest(language="python", code=(
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2); print('reached')\n"
        "except OSError: print('blocked')")), endpoint=math_server.url)
    assert net.run_result.stdout == "blocked\n"


def test_unsupported_language_gets_sandbox_fusions_error_shape(math_server):
    from sandbox_fusion import RunCodeRequest, run_code

    raw = httpx.post(f"{math_server.url}/run_code", json={"code": "int main(){}", "language": "cpp"}).json()
    assert raw["status"] == "SandboxError" and "cpp" in raw["message"]
    assert set(raw) == {"status", "message", "compile_result", "run_result", "executor_pod_name", "files"}
    with pytest.raises(Exception, match="Sandbox responded with error"):  # the client's own reaction
        run_code(RunCodeRequest(code="int main(){}", language="cpp"), endpoint=math_server.url, max_attempts=1)
    bad = httpx.post(f"{math_server.url}/run_code", json={"code": "x", "language": "cobol"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "language"]
