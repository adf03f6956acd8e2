"""Batch normalization (``tfjs-layers/src/layers/normalization.ts``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer, Shape, WeightSpec, regularized
from .errors import EngineError
from .initializers import get_initializer


class BatchNormalization(Layer):
    """``tf.layers.batchNormalization`` over the last axis.

    Training (``fit``) normalises with the batch mean and the *biased* batch variance
    (``tf.moments``) and then moves the statistics as TF.js's ``doMovingAverage`` does:
    ``moving - (moving - batch)·(1 - momentum)``. Inference uses the moving statistics.
    Weights: gamma and beta are trainable; movingMean and movingVariance are state, listed
    by ``getWeights()`` after every layer's trainable weights.
    """

    layer_type = "batchNormalization"
    type_name = "BatchNormalization"
    keys = ("momentum", "epsilon", "center", "scale")
    file_keys = ("axis", "betaInitializer", "gammaInitializer", "movingMeanInitializer",
                 "movingVarianceInitializer")
    unsupported_keys = regularized("beta", "gamma", activity=False)
    tfjs_weight_names = {"movingMean": "moving_mean", "movingVariance": "moving_variance"}

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        self.axis = config.get("axis", -1)
        numbers = {"momentum": 0.99, "epsilon": 1e-3}
        for key, default in numbers.items():
            value = config.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.error(f"{key} must be a number, not {value!r}")
            numbers[key] = float(value)
        self.momentum, self.epsilon = numbers["momentum"], numbers["epsilon"]
        self.center, self.scale = config.get("center", True), config.get("scale", True)
        if not isinstance(self.center, bool) or not isinstance(self.scale, bool):
            raise self.error("center and scale must be true or false")
        try:
            self.inits = {
                key: get_initializer(config.get(f"{key}Initializer", default))
                for key, default in (
                    ("gamma", "ones"),
                    ("beta", "zeros"),
                    ("movingMean", "zeros"),
                    ("movingVariance", "ones"),
                )
            }
        except EngineError as err:
            raise self.error(err) from None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if not input_shape:
            raise self.error("needs inputs with at least one feature axis")
        if self.axis not in (-1, len(input_shape)):
            raise self.error(f"only the last axis (-1) is supported, not axis {self.axis!r}")
        return input_shape

    def weight_specs(self) -> list[WeightSpec]:
        shape = (self.input_shape[-1],)
        names = [n for n, on in (("gamma", self.scale), ("beta", self.center)) if on]
        return [(n, shape, self.inits[n]) for n in names]

    def state_specs(self) -> list[WeightSpec]:
        shape = (self.input_shape[-1],)
        return [(n, shape, self.inits[n]) for n in ("movingMean", "movingVariance")]

    def _unpack(self, weights: list[np.ndarray], dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        rest = list(weights)
        gamma = rest.pop(0) if self.scale else np.ones(1, dtype=dtype)
        beta = rest.pop(0) if self.center else np.zeros(1, dtype=dtype)
        return gamma, beta

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        gamma, beta = self._unpack(weights, x.dtype)
        eps = x.dtype.type(self.epsilon)
        axes = tuple(range(x.ndim - 1))
        if training:
            mean = np.mean(x, axis=axes, dtype=x.dtype)
            centred = x - mean
            var = np.mean(centred * centred, axis=axes, dtype=x.dtype)
        else:
            mean, var = weights[-2], weights[-1]
            centred = x - mean
        inv = x.dtype.type(1) / np.sqrt(var + eps)
        xhat = centred * inv
        y = xhat * gamma + beta
        return y, (training, xhat, inv, gamma, mean, var)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        training, xhat, inv, gamma, _, _ = cache
        axes = tuple(range(dy.ndim - 1))
        grads = []
        if self.scale:
            grads.append(np.sum(dy * xhat, axis=axes, dtype=dy.dtype))
        if self.center:
            grads.append(np.sum(dy, axis=axes, dtype=dy.dtype))
        dxhat = dy * gamma
        if not training:
            return dxhat * inv, grads
        # The batch statistics depend on x too: TF.js's tape differentiates through moments.
        dx = inv * (
            dxhat
            - np.mean(dxhat, axis=axes, dtype=dy.dtype)
            - xhat * np.mean(dxhat * xhat, axis=axes, dtype=dy.dtype)
        )
        return dx, grads

    def new_state(self, weights: list[np.ndarray], cache: Any) -> list[np.ndarray]:
        training, _, _, _, mean, var = cache
        moving_mean, moving_var = weights[-2], weights[-1]
        if not training:
            return [moving_mean, moving_var]
        decay = moving_mean.dtype.type(1 - self.momentum)
        return [moving_mean - (moving_mean - mean) * decay, moving_var - (moving_var - var) * decay]
