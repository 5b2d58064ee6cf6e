"""Gaerchen: see what an autoencoder's latent space looks like, and why a VAE's is smoother."""

__version__ = "0.1.0"
