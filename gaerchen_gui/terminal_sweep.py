"""The terminal front end of a BETA sweep: one progress bar over every run, a line per finished run."""

from __future__ import annotations

import sys

from gaerchen_gui.core.sweep import BetaSweep, SweepRunDone, SweepStep, SweepStopped
from gaerchen_gui.core.training import StepEvent
from gaerchen_gui.terminal_common import EXIT_CODES, first_ctrl_c_cancels, say, step_bar


def _run_line(event: SweepRunDone) -> str:
    metrics = event.test_metrics
    result = f"test bce {metrics['bce']:.4f}  kl {metrics['kl']:.3f}" if metrics else "no test results"
    where = f"saved {event.path}" if event.path is not None else "nothing to save"
    if event.save_problem:
        where = f"{event.save_problem}; saved {event.path} instead"
    return f"run {event.run + 1}/{event.runs} beta {event.beta:g}: {event.stop.reason}, {result}; {where}"


def run_sweep_in_terminal(sweep: BetaSweep) -> int:
    """Run ``sweep``; the first Ctrl-C stops the run under way (kept as any stopped run is) and ends
    the sweep, a second one aborts at once. Exit code as for ``train``."""
    config = sweep.configs[0]
    print(
        f"sweeping BETA over {', '.join(f'{b:g}' for b in sweep.betas)}: {len(sweep.betas)} VAEs, "
        f"{config.epochs} epochs each, batch {config.batch_size}, lr {config.lr:g}, seed {config.seed}, "
        f"into {sweep.out_dir}",
        file=sys.stderr,
    )

    bar = None
    stopped: SweepStopped | None = None
    problems = 0
    try:
        with first_ctrl_c_cancels(sweep.control):
            for event in sweep.run():
                if isinstance(event, SweepStep) and isinstance(event.step, StepEvent):
                    if bar is None:
                        bar = step_bar(event.step.total_steps * event.runs)
                    bar.update(1)
                    bar.set_postfix_str(
                        f"run {event.run + 1}/{event.runs} beta {event.beta:g} loss {event.step.loss:.2f} "
                        f"sweep ETA {event.eta_s / 60:.1f} min",
                        refresh=False,
                    )
                elif isinstance(event, SweepRunDone):
                    problems += event.save_problem is not None
                    say(_run_line(event))
                elif isinstance(event, SweepStopped):
                    stopped = event
    except OSError as err:  # no place at all could take a finished run
        print(f"gaerchen: error: {err}: the sweep stopped.", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    assert stopped is not None
    print(stopped.message, file=sys.stderr)
    if problems:
        return 1
    return EXIT_CODES[stopped.reason]
