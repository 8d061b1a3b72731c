"""The progress line's policy warnings: entropy collapse and zero-variance groups, with their numbers."""

from __future__ import annotations

import math

from rlvr.trainer.run_metrics import ENTROPY_FLOOR, ZERO_STD_CEILING, StepProgress, policy_warnings

HEALTHY = {"reward": 0.4, "completions/mean_length": 24.0, "step_time": 50.0, "verification/masked_rows": 0.0,
           "verification/error": 0.0, "entropy": 0.45, "frac_reward_zero_std": 0.25}


def test_thresholds_are_the_documented_ones():
    assert (ENTROPY_FLOOR, ZERO_STD_CEILING) == (0.1, 0.5)


def test_no_warning_on_a_healthy_step_or_a_step_that_trained_no_token():
    assert policy_warnings(HEALTHY) == []
    assert policy_warnings(HEALTHY | {"entropy": math.nan}) == []  # no row had an advantage: no entropy measured
    assert policy_warnings(HEALTHY | {"frac_reward_zero_std": 0.5}) == []  # half is not most


def test_collapse_and_zero_variance_warnings_name_the_number_and_the_threshold():
    warnings = policy_warnings(HEALTHY | {"entropy": 0.062, "frac_reward_zero_std": 0.75})
    assert warnings == ["entropy collapsed: 0.062 < 0.1 nats/token",
                        "75% of groups have zero reward variance (> 50%): they teach nothing"]


def test_progress_line_says_so():
    bar = StepProgress(10, 0, enabled=True)
    try:
        bar.update(1, HEALTHY)
        line = bar._bar.tasks[0].fields["stats"]
        assert "entropy 0.450  zero-var 0.25" in line and "WARNING" not in line
        bar.update(2, HEALTHY | {"entropy": 0.062, "frac_reward_zero_std": 1.0, "eval/accuracy": 0.7})
        line = bar._bar.tasks[0].fields["stats"]
        assert "eval 0.700" in line
        assert "WARNING: entropy collapsed: 0.062 < 0.1 nats/token; 100% of groups have zero reward variance" in line
    finally:
        bar.close()
