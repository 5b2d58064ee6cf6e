"""The VAE diagnostics dock: the active model's KL per dimension, live while it trains.

The numbers are derived state of a model (``ModelState.diagnostics``); :class:`DiagnosticsJob`
computes them on a worker thread whenever the images the map shows are encoded anew (a loaded
checkpoint's 10,000 test images, or each training snapshot's live subset), but only while the
dock is open: nobody pays for a view nobody looks at.

While a model trains, a pass (2,000 images encoded and decoded) competes with training for the
same cores, and one per snapshot (two a second) cost the training half its images/s on two
cores (benchmarks/diagnostics_cost.py). So after each live pass the job rests for as long as
keeps the passes within LIVE_SHARE of the time; the newest snapshot is diagnosed when the rest
ends, and at once when the run stops.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import torch
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.core.config import DEFAULT_BETA, ConfigError
from gaerchen_gui.core.diagnostics import ModelDiagnostics, diagnose_model
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.background_job import OnePassAtATime
from gaerchen_gui.gui.diagnostics_panel import DiagnosticsPanel
from gaerchen_gui.gui.latent_map import MIN_MAP_SIZE
from gaerchen_gui.gui.scroll_area import scrolled

JOB = "diagnostics"
DOCK_WIDTH = 380
DOCK_MIN_WIDTH = 280
LIVE_SHARE = 0.04  # of a training run's time the live diagnostics may take: under issue 15's 5%, with a margin


class DiagnosticsJob:
    """Computes one model's diagnostics off the GUI thread, one pass at a time, while enabled."""

    def __init__(self, state: ModelState, beta_of_live_run, training) -> None:  # () -> float, () -> bool
        self.state = state
        self._beta_of_live_run = beta_of_live_run
        self._training = training  # whether a run is training now: only then do passes rest
        self._resting_until = 0.0  # time.monotonic() before which no live pass starts
        self._rest = QTimer()
        self._rest.setSingleShot(True)
        self._rest.timeout.connect(self.request)
        self._passes = OnePassAtATime(state, JOB, self._plan)
        self.enabled = False
        self._was_live = state.live is not None
        state.encoded_changed.connect(self._on_encoded)
        state.live_changed.connect(self._on_live_changed)

    @property
    def error(self) -> str | None:
        return None if self._passes.error is None else f"The diagnostics could not be computed: {self._passes.error}"

    @property
    def running(self) -> bool:
        return self._passes.running

    def wait(self, timeout_s: float) -> None:
        self._passes.wait(timeout_s)

    def close(self) -> None:
        """Stop listening; a pass under way ends on its own (seconds at most), its result dropped."""
        self.enabled = False
        self._rest.stop()
        self.state.encoded_changed.disconnect(self._on_encoded)
        self.state.live_changed.disconnect(self._on_live_changed)
        self._passes.cancel()

    def request(self) -> None:
        if self.enabled:
            self._passes.request()

    def training_stopped(self) -> None:
        """The run ended: its last snapshot is diagnosed now, not after a rest."""
        self._resting_until = 0.0
        self._rest.stop()
        self.request()

    def _beta(self) -> float:
        if self.state.live is not None:
            return self._beta_of_live_run()
        checkpoint = self.state.checkpoint
        beta = checkpoint.metadata.get("beta") if checkpoint is not None else None
        return float(beta) if beta else DEFAULT_BETA

    def _on_live_changed(self, live) -> None:  # a LiveView or None
        if (live is not None) != self._was_live:
            # Training began (or the view left it): a pass on the weights shown before no longer applies.
            self._was_live = live is not None
            self._passes.cancel()
            if self.state.diagnostics is not None:
                self.state.set_diagnostics(None)

    def _on_encoded(self, encoded: EncodedSet | None) -> None:
        if encoded is not None:
            self.request()

    def _plan(self):
        state, encoded, model = self.state, self.state.encoded, self.state.latent_model  # all D dimensions
        if not self.enabled or encoded is None or model is None or state.kind != "vae":
            return None
        step = state.live.step if state.live is not None else None
        resting = self._resting_until - time.monotonic()
        if step is not None and resting > 0 and self._training():
            self._rest.start(math.ceil(resting * 1000))  # then the newest snapshot's pass
            return None
        started = time.monotonic()
        images = torch.from_numpy(encoded.images).unsqueeze(1)
        # A loaded model's map already holds the posterior of all D dimensions (``codes``: before any
        # projection): reuse it, so that only the decoder runs. Live snapshots carry the means only.
        codes = state.codes if state.codes is not None else encoded
        posterior = None
        if codes.z_log_var is not None and codes.z.shape[1] == model.latent_dim and len(codes) == len(encoded):
            posterior = (codes.z, codes.z_log_var)

        def deliver(result: ModelDiagnostics | None, ticket) -> None:
            if step is not None:
                took = time.monotonic() - started
                self._resting_until = time.monotonic() + took * (1 / LIVE_SHARE - 1)
            state.set_diagnostics(None if result is None else replace(result, step=step), ticket)

        args = (model, images, encoded.labels, self._beta(), self._passes.should_stop, posterior)
        return diagnose_model, args, deliver


class DiagnosticsDock:
    """A right-hand dock with a :class:`DiagnosticsPanel` of the active model."""

    def __init__(self, window) -> None:  # the ExplorerWindow
        self.window = window
        self.panel = DiagnosticsPanel()
        self.dock = QDockWidget("VAE Diagnostics", window)
        self.dock.setObjectName("diagnosticsDock")
        self.dock.setWidget(scrolled(self.panel))
        self.panel.setMinimumWidth(DOCK_MIN_WIDTH)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self._jobs: dict[int, DiagnosticsJob] = {}
        self._shown: ModelState | None = None
        self._sized = False
        self.dock.visibilityChanged.connect(self._on_visibility)
        window.explorer.active_changed.connect(self._show_model)
        window.explorer.models_changed.connect(self._forget_removed_models)
        window.training_panel.runningChanged.connect(self._on_training_running)
        self._show_model(window.explorer.active)

    @property
    def visible(self) -> bool:
        return self.dock.isVisible()

    def show(self, visible: bool) -> None:
        first_time = visible and not self._sized
        self.dock.setVisible(visible)
        if first_time:
            self._sized = True
            window = self.window
            beside = MIN_MAP_SIZE.width() + window.side.minimumWidth() + DOCK_WIDTH
            if window.width() < beside and not self.dock.isFloating():
                # A small screen (900 x 600): beside the map and the side panel the dock would be squeezed
                # to a sliver, and under the map it made the window taller than the screen (679 px in
                # compare mode). So it joins the training dock as a tab when that is open, else it opens
                # as a window of its own over the explorer's right edge (as Your Images does).
                if window.training_dock.isVisible():
                    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
                    window.tabifyDockWidget(window.training_dock, self.dock)
                else:
                    self.dock.setFloating(True)
                    width, height = DOCK_WIDTH + 40, min(window.height(), 640)
                    corner = window.geometry().topRight()
                    self.dock.setGeometry(corner.x() - width, corner.y(), width, height)
                self.dock.show()
                self.dock.raise_()
                return
            # wide enough to read the bars and the summary; the map gives up the width, the user may take it back
            window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    def _on_visibility(self, _: bool) -> None:
        self.window.actions[ActionKey.SHOW_DIAGNOSTICS].setChecked(self.dock.isVisible())
        job = self._job_of(self.window.explorer.active)
        job.enabled = self.dock.isVisible()
        if job.enabled and job.state.diagnostics is None:
            job.request()

    def _job_of(self, state: ModelState) -> DiagnosticsJob:
        job = self._jobs.get(id(state))
        if job is None:
            job = self._jobs[id(state)] = DiagnosticsJob(
                state, self._beta_of_live_run, lambda: self.window.training_panel.runner.is_running
            )
        return job

    def _on_training_running(self, running: bool) -> None:
        if not running:
            for job in self._jobs.values():
                job.training_stopped()

    def _beta_of_live_run(self) -> float:
        try:
            return self.window.training_panel.config().beta  # the form is locked while a run goes on
        except ConfigError:
            return DEFAULT_BETA

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Stop every job and wait for a pass under way (the window is closing)."""
        for job in self._jobs.values():
            job.close()
        deadline = time.monotonic() + timeout_s
        for job in self._jobs.values():
            job.wait(max(0.0, deadline - time.monotonic()))
        self._jobs.clear()

    def _forget_removed_models(self) -> None:
        on_screen = {id(state) for state in self.window.explorer.models}
        for key in [key for key in self._jobs if key not in on_screen]:
            self._jobs.pop(key).close()

    def _show_model(self, state: ModelState) -> None:
        if self._shown is not None:
            self._shown.diagnostics_changed.disconnect(self._refresh)
            self._shown.checkpoint_changed.disconnect(self._refresh)
            self._job_of(self._shown).enabled = False
        self._shown = state
        state.diagnostics_changed.connect(self._refresh)
        state.checkpoint_changed.connect(self._refresh)
        job = self._job_of(state)
        job.enabled = self.dock.isVisible()
        if job.enabled and state.diagnostics is None:
            job.request()
        self._refresh()

    def _refresh(self, *_: object) -> None:
        state = self._shown
        if state is None:
            return
        name = "The model being trained" if state.live is not None else state.display_name
        if state.kind is None:
            self.panel.show_diagnostics(None, title=name, note="No model is loaded.")
            return
        if state.kind != "vae":
            note = (
                "These diagnostics are for VAEs: an AE's encoder gives each image a point, not a distribution, "
                "so there is no KL term to look at. Show the VAE (or a VAE checkpoint) to see them."
            )
            self.panel.show_diagnostics(None, title=name, note=note)
            return
        result = state.diagnostics
        if result is None:
            note = self._job_of(state).error or "Computing…"
            self.panel.show_diagnostics(None, title=name, note=note)
            return
        where = f"{result.n_images:,} test images"
        if result.step is not None:
            title, note = f"{name}: step {result.step:,}", f"Live, on the {where} of the live map."
        else:
            title, note = name, f"On the {where}."
        self.panel.show_diagnostics(
            result.latent, title=title, beta=result.beta, recon_term=result.recon_term, note=note
        )
