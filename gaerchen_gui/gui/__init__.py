"""The Qt front end: the latent explorer window and its parts.

Everything Qt lives here; ``gaerchen_gui.core`` never imports it, and the
latent maths the window uses (nearest images, samples, manifold grids) lives
there, tested without a display.
"""

from gaerchen_gui.gui.pyside_fix import protect_singletons

# Before any widget exists: PySide6 6.12 on Python 3.11 would otherwise abort the
# process after some tens of thousands of Qt calls (see pyside_fix).
protect_singletons()
