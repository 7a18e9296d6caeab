"""One convolutional encoder/decoder family for the AE, the VAE and the conditional VAE.

Follows the conv VAE of the Keras "Variational AutoEncoder" example and the vocabulary of
pytorch/examples' ``vae/main.py`` (Kingma & Welling 2014, "Auto-Encoding Variational Bayes"):
``encode -> (mu, logvar)``, ``reparameterize``, ``decode``, ``forward -> (x_hat, mu, logvar)``.

Encoder: conv 4x4/2 (28 -> 14) -> conv 4x4/2 (14 -> 7) -> FC ``hidden`` -> heads.
Decoder: the mirror image, with transposed convolutions. ``decode`` returns pixel means in
[0, 1]; ``forward`` returns *logits* as ``x_hat`` so the loss can use the stable
``binary_cross_entropy_with_logits`` (``torch.sigmoid(x_hat)`` gives the image).
The conditional VAE (Sohn et al. 2015) appends the one-hot label as 10 constant input planes
to the encoder and concatenates it to z at the decoder input.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vae.config import CONV_KERNELS as _KERNELS
from vae.config import ModelConfig
from vae.config import last_feature_map as _flat


class Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig, in_channels: int, heads: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = in_channels
        for c, k in zip(cfg.channels, _KERNELS):
            layers += [nn.Conv2d(c_in, c, k, 2, 1), nn.ReLU()]  # (B, c, side/2, side/2)
            c_in = c
        c, s = _flat(cfg)
        layers += [nn.Flatten(), nn.Linear(c * s * s, cfg.hidden), nn.ReLU()]  # (B, hidden)
        self.body = nn.Sequential(*layers)
        self.heads = nn.ModuleList(nn.Linear(cfg.hidden, cfg.latent_dim) for _ in range(heads))

    def forward(self, x: Tensor) -> list[Tensor]:
        h = self.body(x)  # (B, hidden)
        return [head(h) for head in self.heads]  # each (B, latent_dim)


class Decoder(nn.Module):
    def __init__(self, cfg: ModelConfig, in_features: int) -> None:
        super().__init__()
        c, s = _flat(cfg)
        layers: list[nn.Module] = [
            nn.Linear(in_features, cfg.hidden),
            nn.ReLU(),  # (B, hidden)
            nn.Linear(cfg.hidden, c * s * s),
            nn.ReLU(),  # (B, c * s * s)
            nn.Unflatten(1, (c, s, s)),  # (B, c, s, s)
        ]
        outs = list(cfg.channels[:-1])[::-1] + [1]
        for i, (c_out, k) in enumerate(zip(outs, _KERNELS[: len(cfg.channels)][::-1])):
            layers.append(nn.ConvTranspose2d(c, c_out, k, 2, 1))  # side doubles (4 -> 7 with k3)
            if i < len(outs) - 1:
                layers.append(nn.ReLU())
            c = c_out
        self.net = nn.Sequential(*layers)  # ends in (B, 1, 28, 28) logits

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)  # (B, 1, 28, 28) logits


class Autoencoder(nn.Module):
    """The one interface of every model (AE, VAE, CVAE): callers never dispatch on the class.

    ``encode(x, y=None) -> (mu, logvar)``: the code's mean and log-variance, (B, d) each; the AE's
    code is deterministic and its ``logvar`` is ``None``. ``decode_logits(z, y=None)`` gives one
    Bernoulli logit per pixel, ``decode(z, y=None)`` the pixel means in [0, 1], and
    ``forward(x, y=None) -> (x_hat logits, mu, logvar)``. Labels ``y`` (B,) are read only by the
    conditional VAE, which requires them; the other models ignore them, so one call fits all.
    """

    conditional = False  # whether encode / decode need the digit labels y

    def __init__(self, cfg: ModelConfig, heads: int) -> None:
        super().__init__()
        self.config = cfg
        extra = cfg.num_classes if self.conditional else 0
        self.encoder = Encoder(cfg, 1 + extra, heads=heads)
        self.decoder = Decoder(cfg, cfg.latent_dim + extra)

    def _labels(self, y: Tensor | None) -> Tensor:
        if y is None:
            raise ValueError(
                f"the conditional VAE ({type(self).__name__}) needs the digit labels y "
                "to encode and decode: call encode(x, y) / decode(z, y)"
            )
        return F.one_hot(
            torch.as_tensor(y).long().reshape(-1), self.config.num_classes
        ).float()  # (B, 10)

    def _encoder_input(self, x: Tensor, y: Tensor | None) -> Tensor:
        if not self.conditional:
            return x  # (B, 1, 28, 28)
        planes = self._labels(y)[:, :, None, None].expand(-1, -1, *x.shape[-2:])  # (B, 10, 28, 28)
        return torch.cat([x, planes], dim=1)  # (B, 11, 28, 28)

    def encode(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        raise NotImplementedError

    @staticmethod
    def reparameterize(
        mu: Tensor, logvar: Tensor | None, generator: torch.Generator | None = None
    ) -> Tensor:
        """z = mu + sigma * eps with eps ~ N(0, I): sampling becomes differentiable in mu, sigma.
        A deterministic code (``logvar`` None) is its own sample."""
        if logvar is None:
            return mu
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)  # (B, d)
        return mu + torch.exp(0.5 * logvar) * eps  # (B, d)

    def decode_logits(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        if self.conditional:
            z = torch.cat([z, self._labels(y)], dim=1)  # (B, d + 10)
        return self.decoder(z)  # (B, 1, 28, 28)

    def decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        return torch.sigmoid(self.decode_logits(z, y))  # (B, 1, 28, 28) in [0, 1]

    def forward(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor | None]:
        mu, logvar = self.encode(x, y)  # (B, d), (B, d) or None
        z = self.reparameterize(mu, logvar)  # (B, d)
        return self.decode_logits(z, y), mu, logvar


class AE(Autoencoder):
    """Deterministic autoencoder: the code is ``mu`` itself (``logvar`` None); reconstruction loss
    only."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg, heads=1)

    def encode(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, None]:
        return self.encoder(self._encoder_input(x, y))[0], None  # (B, latent_dim), None


class VAE(Autoencoder):
    """Gaussian VAE: q(z|x) = N(mu, diag(exp(logvar))), prior N(0, I), Bernoulli decoder."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg, heads=2)

    def encode(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mu, logvar = self.encoder(self._encoder_input(x, y))  # (B, latent_dim) each
        return mu, logvar


class CVAE(VAE):
    """Conditional VAE: the one-hot label joins the encoder input (10 constant planes) and the
    decoder input (concatenated to z); ``y`` is required."""

    conditional = True


Model = Autoencoder


def build_model(cfg: ModelConfig) -> Model:
    """A freshly initialised model for a config."""
    return {"ae": AE, "vae": VAE, "cvae": CVAE}[cfg.kind](cfg)
