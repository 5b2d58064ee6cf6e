"""The explorer as a whole: the models on screen, the one cursor they share, what is hovered, view options.

No widgets and no Qt (see ``model_state.py`` for why psygnal). The window
shows this state and sends requests to it; nothing here knows how it is drawn.
The cursor is one point in latent coordinates for every model on screen: move
it in any pane and every pane decodes that point with its own decoder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from psygnal import Signal, evented

from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.core.coverage import COVERAGE_OPACITY
from gaerchen_gui.core.manifold import ManifoldOptions
from gaerchen_gui.core.sampling import DEFAULT_SAMPLE_COUNT

MAX_MODELS = 4  # side by side in compare mode; more panes get too narrow to read on a laptop


@evented
@dataclass
class ViewOptions:
    """Choices that apply to every pane; each field has an event (``options.events.<field>``)."""

    show_manifold: bool = False
    manifold: ManifoldOptions = field(default_factory=ManifoldOptions)
    show_train_points: bool = False
    # the holes layer: distance to the nearest encoded image, a VAE's prior and aggregate posterior
    show_coverage: bool = False
    coverage_opacity: float = COVERAGE_OPACITY
    sample_count: int = DEFAULT_SAMPLE_COUNT
    # compare: panning or zooming one pane moves the others. Off by default: an AE's and a VAE's maps
    # have different scales, and one linked to the other's range hides most of its points.
    link_views: bool = False


class ExplorerState:
    cursor_moved = Signal(float, float)
    hovered_changed = Signal(object)  # the test-set number under the mouse in some pane, or None
    models_changed = Signal()  # a model state was added or removed
    active_changed = Signal(object)  # the ModelState the side panel shows

    def __init__(self) -> None:
        self.options = ViewOptions()
        self.models: list[ModelState] = [ModelState("main")]
        self.active: ModelState = self.models[0]
        self.cursor: tuple[float, float] = (0.0, 0.0)
        self.hovered: int | None = None

    def set_cursor(self, x: float, y: float) -> bool:
        """Move the shared cursor; False (and no event) when it is already there or not a finite point."""
        if not (math.isfinite(x) and math.isfinite(y)) or (x, y) == self.cursor:
            return False
        self.cursor = (float(x), float(y))
        self.cursor_moved.emit(*self.cursor)
        return True

    def set_hovered(self, test_id: int | None) -> None:
        if test_id != self.hovered:
            self.hovered = test_id
            self.hovered_changed.emit(test_id)

    def add_model(self, name: str | None = None) -> ModelState:
        if len(self.models) >= MAX_MODELS:
            raise ValueError(f"at most {MAX_MODELS} models can be compared side by side")
        state = ModelState(name)
        self.models.append(state)
        self.models_changed.emit()
        return state

    def remove_model(self, state: ModelState) -> None:
        if len(self.models) == 1:
            raise ValueError("the explorer always shows one model")
        self.models.remove(state)
        if self.active is state:
            self.set_active(self.models[0])
        self.models_changed.emit()

    def set_active(self, state: ModelState) -> None:
        if state not in self.models:
            raise ValueError(f"{state.name} is not on screen")
        if state is not self.active:
            self.active = state
            self.active_changed.emit(state)
