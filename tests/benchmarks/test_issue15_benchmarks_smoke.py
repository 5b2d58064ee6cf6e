"""``benchmarks/wide_latent.py`` and ``benchmarks/diagnostics_cost.py`` with ``--json --quick`` run to the end
and report every figure (speeds and goals are not asserted: the machine may be busy with other work)."""

from __future__ import annotations

import math

from benchmark_support import run_quick


def positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def test_wide_latent_reports_both_kinds():
    result = run_quick("wide_latent.py")
    assert result["images"] == 10_000 and result["rounds"] == 1
    for kind in ("ae", "vae"):
        figures = result[kind]
        for key in ("open_2d_s", "open_64d_s", "plan_view_64d_s", "ratio"):
            assert positive(figures[key]), (kind, key, figures[key])
        assert math.isclose(figures["ratio"], figures["open_64d_s"] / figures["open_2d_s"], rel_tol=0.01)
        assert isinstance(figures["goal_met"], bool)


def test_diagnostics_cost_trains_with_the_dock_open_and_closed():
    result = run_quick("diagnostics_cost.py")
    assert positive(result["img_s_diagnostics_open"]) and positive(result["img_s_diagnostics_closed"])
    assert result["diagnostics_passes"] >= 1  # the dock did diagnose the live snapshots
    assert math.isfinite(result["cost_share"]) and isinstance(result["goal_met"], bool)
