import pytest
import torch

from gaerchen_gui.core.models import Autoencoder, VariationalAutoencoder, build_model, count_parameters, sample_z


def test_book_parameter_counts():
    ae = Autoencoder()
    assert count_parameters(ae.encoder) == 96_770
    assert count_parameters(ae.decoder) == 246_273
    vae = VariationalAutoencoder()
    assert count_parameters(vae.encoder) == 96_770 + 2 * 2048 + 2  # a second Dense(2) head
    assert count_parameters(vae.decoder) == 246_273


@pytest.mark.parametrize("kind", ["ae", "vae"])
@pytest.mark.parametrize("latent_dim", [2, 5])
def test_shapes(kind, latent_dim):
    model = build_model(kind, latent_dim)
    x = torch.rand(3, 1, 32, 32)
    out = model(x)
    assert out.logits.shape == (3, 1, 32, 32)
    assert out.z.shape == (3, latent_dim)
    assert model.embed(x).shape == (3, latent_dim)
    images = model.decode(torch.zeros(4, latent_dim))
    assert images.shape == (4, 1, 32, 32) and 0 <= images.min() and images.max() <= 1
    if kind == "vae":
        assert out.z_mean.shape == out.z_log_var.shape == (3, latent_dim)
    else:
        assert out.z_mean is None


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown model kind"):
        build_model("gan")


def test_vae_embedding_is_deterministic_and_forward_samples():
    torch.manual_seed(0)
    model = VariationalAutoencoder()
    x = torch.rand(8, 1, 32, 32)
    assert torch.equal(model.embed(x), model.embed(x))
    assert not torch.equal(model(x).z, model(x).z)


def test_gradients_flow_through_the_reparameterisation():
    z_mean = torch.zeros(16, 2, requires_grad=True)
    z_log_var = torch.zeros(16, 2, requires_grad=True)
    z = sample_z(z_mean, z_log_var)
    (z**2).sum().backward()
    assert z_mean.grad is not None and z_mean.grad.abs().sum() > 0
    assert z_log_var.grad is not None and z_log_var.grad.abs().sum() > 0


def test_sampling_has_the_requested_spread():
    torch.manual_seed(1)
    z_mean = torch.full((20_000, 2), 3.0)
    z_log_var = torch.full((20_000, 2), torch.log(torch.tensor(0.25)).item())  # std 0.5
    z = sample_z(z_mean, z_log_var)
    assert z.mean().item() == pytest.approx(3.0, abs=0.02)
    assert z.std().item() == pytest.approx(0.5, abs=0.02)
