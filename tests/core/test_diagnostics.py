import numpy as np
import pytest
import torch

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import ConfigError, TrainConfig
from gaerchen_gui.core.diagnostics import ACTIVE_VARIANCE, class_separation, diagnose, diagnose_model
from gaerchen_gui.core.evaluation import embed_all, evaluate, posterior_all
from gaerchen_gui.core.training import StepEvent, Trainer
from gaerchen_gui.resources import shipped_model_path


def test_kl_per_dimension_is_the_closed_form_and_sums_to_the_losss_kl():
    rng = np.random.default_rng(0)
    z_mean = rng.normal(size=(400, 3)) * np.array([1.0, 0.5, 0.0])
    z_log_var = np.log(np.full((400, 3), [0.04, 0.25, 1.0]))
    diag = diagnose(z_mean, z_log_var)
    expected = 0.5 * (np.square(z_mean).mean(axis=0) + np.exp(z_log_var[0]) - 1.0 - z_log_var[0])
    np.testing.assert_allclose(diag.kl_per_dim, expected)
    assert diag.kl_per_dim[2] == pytest.approx(0.0, abs=1e-12)  # the prior itself: no information
    np.testing.assert_allclose(diag.mean_sigma, [0.2, 0.5, 1.0])
    assert diag.active.tolist() == [True, True, False] and diag.n_active == 2
    from gaerchen_gui.core.losses import kl_to_standard_normal

    loss_kl = kl_to_standard_normal(torch.tensor(z_mean), torch.tensor(z_log_var)).item()
    assert diag.kl_total == pytest.approx(loss_kl)


def test_active_unit_threshold_is_the_variance_of_the_means():
    z_mean = np.stack([np.linspace(-1, 1, 100) * np.sqrt(ACTIVE_VARIANCE * 0.5) * np.sqrt(3), np.zeros(100)], 1)
    assert diagnose(z_mean, np.zeros_like(z_mean)).n_active == 0
    assert diagnose(z_mean * 2, np.zeros_like(z_mean)).n_active == 1


def test_class_separation_from_clusters_to_one_blob():
    labels = np.repeat(np.arange(4), 50)
    centres = np.array([[0, 0], [5, 0], [0, 5], [5, 5]])
    rng = np.random.default_rng(1)
    tight = centres[labels] + 0.1 * rng.normal(size=(200, 2))
    assert class_separation(tight, labels) > 0.99
    blob = rng.normal(size=(200, 2))
    assert class_separation(blob, labels) < 0.05
    # Means a thousandth of a sigma apart separate nothing: the posterior's variance counts.
    assert class_separation(tight * 1e-3, labels, noise_variance=2.0) < 1e-3
    assert class_separation(tight, np.zeros(200)) is None


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="same shape"):
        diagnose(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same shape"):
        diagnose(np.zeros((0, 2)), np.zeros((0, 2)))


def test_shipped_vae_is_healthy_and_the_ae_has_no_posterior(test_set):
    images = test_set.subset(2000)
    vae = load_checkpoint(shipped_model_path("vae.pt"), torch.device("cpu")).model
    z_mean, z_log_var = posterior_all(vae, images)
    np.testing.assert_allclose(z_mean.numpy(), embed_all(vae, images).numpy(), atol=1e-6)
    diag = diagnose(z_mean.numpy(), z_log_var.numpy(), images.labels.numpy())
    assert diag.n_active == 2 and diag.verdict(500.0) is None
    assert 4.0 < diag.kl_total < 7.0 and diag.class_separation > 0.4
    ae = load_checkpoint(shipped_model_path("ae.pt"), torch.device("cpu")).model
    with pytest.raises(ValueError, match="AE"):
        posterior_all(ae, images)


def test_a_vae_trained_with_a_tiny_beta_collapses_and_the_alarm_says_so(small_train_set, test_set):
    config = TrainConfig.book("vae", beta=1.0, epochs=2, batch_size=50, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=200)
    for _ in trainer.run():
        pass
    images = test_set.subset(1000)
    z_mean, z_log_var = posterior_all(trainer.model, images)
    diag = diagnose(z_mean.numpy(), z_log_var.numpy(), images.labels.numpy())
    verdict = diag.verdict(1.0)
    assert diag.n_active == 0 and verdict is not None
    assert "Posterior collapse" in verdict.headline and "Raise BETA (now 1)" in verdict.advice


def test_kl_warm_up_ramps_the_kl_weight_in_the_minimised_total(small_train_set, test_set):
    config = TrainConfig.book("vae", epochs=1, batch_size=50, compile="off", kl_warmup_steps=8)
    assert [config.kl_weight(s) for s in (1, 4, 8, 20)] == [0.125, 0.5, 1.0, 1.0]
    assert TrainConfig.book("vae").kl_weight(1) == 1.0
    trainer = Trainer(config, small_train_set, test_set, val_limit=200)
    steps = [e for e in trainer.run() if isinstance(e, StepEvent)]
    for event in steps:
        weight = min(1.0, event.global_step / 8)
        assert event.loss == pytest.approx(event.recon + weight * event.kl, rel=1e-5)
    assert steps[0].loss < steps[0].recon + 0.5 * steps[0].kl  # the first step's KL weighs 1/8
    with pytest.raises(ConfigError, match="KL warm-up steps"):
        TrainConfig.book("vae", kl_warmup_steps=-1)


def test_diagnosing_an_encoded_posterior_decodes_only_and_gives_the_same_numbers(test_set):
    images = test_set.subset(2000)
    vae = load_checkpoint(shipped_model_path("vae.pt"), torch.device("cpu")).model
    labels = images.labels.numpy()
    from_scratch = diagnose_model(vae, images.images, labels, 500.0)
    z_mean, z_log_var = posterior_all(vae, images)
    calls = {"encoder": 0, "decoder": 0}
    hooks = [
        getattr(vae, part).register_forward_hook(lambda *a, p=part: calls.__setitem__(p, calls[p] + 1))
        for part in calls
    ]
    reused = diagnose_model(vae, images.images, labels, 500.0, posterior=(z_mean.numpy(), z_log_var.numpy()))
    for hook in hooks:
        hook.remove()
    assert calls["encoder"] == 0 and calls["decoder"] == 4  # 2,000 images in batches of 500
    assert reused.recon_term == from_scratch.recon_term and reused.n_images == 2000
    for field in ("kl_per_dim", "z_mean_variance", "mean_sigma"):
        np.testing.assert_array_equal(getattr(reused.latent, field), getattr(from_scratch.latent, field))
    assert reused.latent.class_separation == from_scratch.latent.class_separation
    # the reconstruction term the loss reports (evaluate: encoder and decoder, batch by batch)
    assert reused.recon_term == pytest.approx(evaluate(vae, images.images, beta=500.0)["recon"], rel=1e-6)
