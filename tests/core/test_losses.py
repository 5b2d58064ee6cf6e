import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from gaerchen_gui.core.losses import ae_loss, kl_to_standard_normal, mean_pixel_bce, vae_loss


def test_bce_by_hand():
    # p = sigmoid(log 3) = 0.75; target 1 -> -log 0.75, target 0 -> -log 0.25
    logits = torch.full((1, 1, 1, 2), math.log(3))
    target = torch.tensor([[[[1.0, 0.0]]]])
    expected = (-math.log(0.75) - math.log(0.25)) / 2
    assert mean_pixel_bce(logits, target).item() == pytest.approx(expected, rel=1e-6)


def test_bce_of_an_undecided_decoder_is_log_2():
    target = torch.rand(4, 1, 32, 32)
    assert mean_pixel_bce(torch.zeros_like(target), target).item() == pytest.approx(math.log(2), rel=1e-6)


@given(st.lists(st.floats(-15, 15), min_size=1, max_size=20), st.floats(0, 1))
def test_bce_with_logits_is_sigmoid_then_bce(logit_values, t):
    logits = torch.tensor(logit_values, dtype=torch.float64)
    target = torch.full_like(logits, t)
    p = torch.sigmoid(logits)
    by_book = -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()
    assert mean_pixel_bce(logits, target).item() == pytest.approx(by_book.item(), rel=1e-6, abs=1e-9)


def test_kl_is_zero_for_the_standard_normal():
    assert kl_to_standard_normal(torch.zeros(10, 2), torch.zeros(10, 2)).item() == 0.0


def test_kl_by_hand():
    # per dim: -0.5 * (1 + log s^2 - mu^2 - s^2); mu = 1, s^2 = 1 -> 0.5; mu = 0, s^2 = e -> 0.5 * (e - 2)
    z_mean = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    z_log_var = torch.tensor([[0.0, 1.0], [0.0, 1.0]])
    expected = 0.5 + 0.5 * (math.e - 2)  # summed over the two dims, same for both rows
    assert kl_to_standard_normal(z_mean, z_log_var).item() == pytest.approx(expected, rel=1e-6)


def test_vae_loss_is_beta_bce_plus_kl():
    torch.manual_seed(0)
    logits, target = torch.randn(5, 1, 32, 32), torch.rand(5, 1, 32, 32)
    z_mean, z_log_var = torch.randn(5, 2), torch.randn(5, 2)
    terms = vae_loss(logits, target, z_mean, z_log_var, beta=500.0)
    bce = mean_pixel_bce(logits, target)
    assert terms.recon.item() == pytest.approx(500.0 * bce.item(), rel=1e-6)
    assert terms.kl.item() == pytest.approx(kl_to_standard_normal(z_mean, z_log_var).item(), rel=1e-6)
    assert terms.total.item() == pytest.approx(terms.recon.item() + terms.kl.item(), rel=1e-6)


def test_ae_loss_has_no_kl():
    logits, target = torch.randn(2, 1, 32, 32), torch.rand(2, 1, 32, 32)
    terms = ae_loss(logits, target)
    assert terms.kl.item() == 0 and terms.total.item() == terms.recon.item()
