"""The pure-Torch core: data, models, losses, training, checkpoints, latent maths.

Nothing in this package may import Qt: the CLI, the tests and the GUI all drive it.
"""
