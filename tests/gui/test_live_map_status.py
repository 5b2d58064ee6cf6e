"""The live map's title: the step it shows, or "map updating…" once that is over a second old."""

from gaerchen_gui.gui.live_map_status import STALE_S, LiveMapStatus


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_map_more_than_a_second_behind_training_says_so(qtbot):
    clock = Clock()
    status = LiveMapStatus(clock=clock)
    titles = []
    status.titleChanged.connect(titles.append)
    status.start()
    status.shown("VAE", 0, 2000)
    assert titles[-1] == "Training VAE  ·  step 0  ·  2,000 test images"
    for step in range(1, 5):  # four steps, 0.1 s apart: training moved on 0.4 s ago
        clock.now += 0.1
        status.step_arrived(step)
    status.shown("VAE", 2, 2000)
    assert titles[-1].startswith("Training VAE  ·  step 2  ·")
    assert abs(status.lag_s - 0.1) < 1e-6  # step 3 arrived 0.1 s ago
    clock.now += STALE_S  # no snapshot for a second: the title must not call step 2 current
    # no new step or snapshot: the title changes on the status's own timer
    qtbot.waitUntil(lambda: "map updating…" in titles[-1], timeout=5_000)
    assert "shows step 2, training at 4" in titles[-1]
    status.shown("VAE", 4, 2000)  # caught up
    assert status.lag_s == 0 and titles[-1].startswith("Training VAE  ·  step 4")
    status.stop()
