"""The Qt front end: the latent explorer window and its parts.

Everything Qt lives here; ``gaerchen_gui.core`` and ``gaerchen_gui.components``
never import it. Process-wide settings (``process_tuning.apply``) are applied by
``app.run_app`` at start-up, not on import.
"""
