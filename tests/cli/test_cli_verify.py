"""`rlvr verify` and the CLI's promise to start without torch."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from rlvr.cli.main import app


def test_verify_scores_good_lines_and_reports_bad_ones_by_line_number(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text(
        "\n".join([
            json.dumps({"completion": "<answer>4</answer>", "reference": "4"}),
            "{not json",
            json.dumps({"completion": "x"}),
            "",
            json.dumps({"completion": "<answer>5</answer>", "reference": "4"}),
        ]) + "\n"
    )
    result = CliRunner().invoke(app, ["verify", "--verifier", "exact", "--completions", str(src)])
    assert result.exit_code == 1  # malformed lines make the run fail, after scoring the rest
    assert "c.jsonl:2: skipped, not valid JSON" in result.output
    assert "c.jsonl:3: skipped, missing field(s): reference" in result.output
    scores = [json.loads(line) for line in (tmp_path / "c.scores.jsonl").read_text().splitlines()]
    assert [(s["line"], s["value"], s["status"]) for s in scores] == [(1, 1.0, "ok"), (5, 0.0, "ok")]


def test_verify_params_and_unknown_names(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"completion": "Paris", "reference": "paris"}) + "\n")
    out = tmp_path / "s.jsonl"
    args = ["verify", "--verifier", "exact", "--completions", str(src), "--out", str(out)]
    ok = CliRunner().invoke(app, [*args, "--param", "extract=null", "--param", "case_sensitive=true"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(out.read_text())["value"] == 0.0  # case-sensitive: Paris != paris
    bad = CliRunner().invoke(app, ["verify", "--verifier", "exakt", "--completions", str(src)])
    assert bad.exit_code == 2
    assert "Did you mean 'exact'" in " ".join(bad.output.replace("│", " ").split())


def test_cli_starts_and_lists_commands_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"  # any `import torch` now raises ImportError
        "from typer.testing import CliRunner\n"
        "from rlvr.cli.main import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(r.output)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "verify" in proc.stdout


def test_verify_reads_1e1_as_the_number_it_means(tmp_path):
    """--param values go through the one override parser (``--set``'s): YAML 1.1 alone reads
    1e1 as the string '1e1', which a plain-dataclass verifier then compares with an int."""
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"completion": "short", "reference": ""}) + "\n"
                   + json.dumps({"completion": "a completion over ten characters", "reference": ""}) + "\n")
    out = tmp_path / "s.jsonl"
    result = CliRunner().invoke(app, ["verify", "--verifier", "length", "--completions", str(src), "--out", str(out),
                                      "--param", "max_length=1e1"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["value"] for line in out.read_text().splitlines()] == [1.0, 0.0]


def test_verify_with_a_task_verifier_needs_no_task_import(tmp_path):
    """`rlvr verify --verifier countdown` once said "unknown verifier" unless rlvr.tasks was imported."""
    src = tmp_path / "c.jsonl"
    reference = {"numbers": [2, 3, 5], "target": 16}
    src.write_text("".join(json.dumps({"completion": c, "reference": reference}) + "\n"
                           for c in ["<answer>(3 + 5) * 2</answer>", "<answer>3 + 5 + 2</answer>"]))
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from rlvr.cli.main import app\n"
        "assert 'rlvr.tasks' not in sys.modules\n"
        f"r = CliRunner().invoke(app, ['verify', '--verifier', 'countdown', '--completions', {str(src)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    scores = [json.loads(line) for line in (tmp_path / "c.scores.jsonl").read_text().splitlines()]
    assert [(s["value"], s["status"]) for s in scores] == [(1.0, "ok"), (0.0, "ok")]


def test_verify_with_workers_that_cannot_load_the_verifier_stops_with_the_cause(tmp_path, unimportable_verifier):
    from rlvr.verifiers import register_verifier

    register_verifier("unimportable_for_verify_cli")(type(unimportable_verifier))
    data = tmp_path / "c.jsonl"
    data.write_text('{"completion": "1", "reference": "1"}\n{"completion": "2", "reference": "1"}\n')
    result = CliRunner().invoke(app, ["verify", "--verifier", "unimportable_for_verify_cli", "--completions",
                                      str(data)])
    assert result.exit_code == 1, result.output
    # Under load this once exited 1 with no output: the jobs' send hit a worker that had already reported
    # and exited (BrokenPipeError); test_worker_deaths.py forces that race.
    assert "Unimportable: a verifier worker cannot load the verifier" in result.output, repr(result.exception)
    assert "ImportError: worker_unimportable needs the parent's set-up" in result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert not (tmp_path / "c.scores.jsonl").exists()  # no file of zeros
