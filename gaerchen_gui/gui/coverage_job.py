"""Keeps one model's coverage picture (the holes layer) up to date while the layer is shown."""

from __future__ import annotations

import torch

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.core.coverage import CoveragePicture, model_coverage
from gaerchen_gui.gui.background_job import OnePassAtATime

JOB = "coverage"


class CoverageJob:
    def __init__(self, state: ModelState, explorer: ExplorerState) -> None:
        self.state = state
        self.explorer = explorer
        self._passes = OnePassAtATime(state, JOB, self._plan)
        self._events = Subscriptions()
        self._events.connect(state.encoded_changed, self._on_encoded)
        self._events.connect(explorer.options.events.show_coverage, self._on_shown)

    @property
    def error(self) -> str | None:
        return self._passes.error

    def _on_shown(self, on: bool) -> None:
        if on and self.state.coverage is None:
            self._passes.request()

    def _on_encoded(self, encoded) -> None:  # an EncodedSet or None
        if encoded is not None:
            self._passes.request()

    def _plan(self):
        state, encoded, model = self.state, self.state.encoded, self.state.decoding_model
        if not self.explorer.options.show_coverage or encoded is None or model is None:
            return None
        images = torch.from_numpy(encoded.images).unsqueeze(1)

        def deliver(picture: CoveragePicture | None, ticket) -> None:
            state.set_coverage(picture, ticket)

        log_vars = encoded.z_log_var[:, :2] if encoded.z_log_var is not None else None
        args = (model, images, encoded.z[:, :2], encoded.index.off_data_threshold, log_vars)
        return model_coverage, args, deliver

    def shutdown(self, timeout_s: float = 5.0) -> None:
        self._events.disconnect_all()
        self._passes.cancel()
        self._passes.wait(timeout_s)
