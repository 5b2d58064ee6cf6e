"""The Qt front end: the latent explorer window and its parts.

Everything Qt lives here; ``gaerchen_gui.core`` never imports it. The few
helpers in this package that are pure numpy/torch (``neighbours``,
``sampling``, ``encoding``) say so at the top, and are tested without a display.
"""
