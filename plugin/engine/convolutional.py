"""2-D convolution and pooling, NHWC (``layers/convolutional.ts``, ``layers/pooling.ts``).

Padding follows ``conv_util.ts::getPadAndOutInfo`` (TF's rule): ``'same'`` gives
``ceil(in / stride)`` outputs and puts the odd padding row or column at the bottom/right.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import Activation, get_activation
from .base import Layer, Shape, WeightSpec, choice, int_pair, positive_int
from .errors import EngineError
from .initializers import get_initializer

PADDINGS = ("valid", "same")


def pad_and_out(size: int, kernel: int, stride: int, padding: str) -> tuple[int, int, int]:
    """``(out, before, after)`` along one spatial axis, as TF.js computes them."""
    if padding == "same":
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + kernel - size)
        return out, total // 2, total - total // 2
    return -(-(size - kernel + 1) // stride), 0, 0


class Window:
    """The geometry of a 2-D sliding window over NHWC inputs of one spatial size."""

    def __init__(
        self, input_shape: Shape, size: tuple[int, int], strides: tuple[int, int], padding: str
    ) -> None:
        self.size, self.strides = size, strides
        rows = pad_and_out(input_shape[0], size[0], strides[0], padding)
        cols = pad_and_out(input_shape[1], size[1], strides[1], padding)
        self.out = (rows[0], cols[0])
        self.pad = ((rows[1], rows[2]), (cols[1], cols[2]))
        self.in_hw = (input_shape[0], input_shape[1])

    def padded(self, x: np.ndarray, value: float) -> np.ndarray:
        """``x`` with the padding rows and columns filled with ``value``."""
        return np.pad(x, ((0, 0), *self.pad, (0, 0)), constant_values=value)

    def views(self, xp: np.ndarray) -> np.ndarray:
        """``[N, outH, outW, C, kh, kw]`` windows of a padded input (a strided view)."""
        v = sliding_window_view(xp, self.size, axis=(1, 2))
        (oh, ow), (sh, sw) = self.out, self.strides
        return v[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw]

    def tap(self, i: int, j: int) -> tuple[slice, slice]:
        """The padded-input rows and columns that kernel tap ``(i, j)`` reads, one per output."""
        (oh, ow), (sh, sw) = self.out, self.strides
        return slice(i, i + (oh - 1) * sh + 1, sh), slice(j, j + (ow - 1) * sw + 1, sw)

    def crop(self, xp: np.ndarray) -> np.ndarray:
        """The unpadded part of a padded array."""
        (top, _), (left, _) = self.pad
        h, w = self.in_hw
        return xp[:, top : top + h, left : left + w]


def _spatial(layer: Layer, input_shape: Shape) -> None:
    if len(input_shape) != 3:
        raise layer.error(
            f"needs inputs of shape [height, width, channels] per sample, not {list(input_shape)} "
            "(add a reshape layer first)"
        )


def _check_format(layer: Layer, config: dict[str, Any]) -> None:
    if config.get("dataFormat", "channelsLast") != "channelsLast":
        raise layer.error("only dataFormat 'channelsLast' is supported")


class Conv2D(Layer):
    """``tf.layers.conv2d``: ``activation(conv(x, kernel) + bias)``, kernel ``[kh, kw, inC, outC]``."""

    type_name = "Conv2D"
    keys = (
        "filters",
        "kernelSize",
        "strides",
        "padding",
        "dataFormat",
        "dilationRate",
        "activation",
        "useBias",
        "kernelInitializer",
        "biasInitializer",
    )

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        try:
            self.filters = positive_int(config.get("filters"), "filters")
            if "kernelSize" not in config:
                raise EngineError("needs kernelSize")
            self.kernel_size = int_pair(config["kernelSize"], "kernelSize")
            self.strides = int_pair(config.get("strides", 1), "strides")
            self.padding = choice(config.get("padding", "valid"), "padding", PADDINGS)
            if int_pair(config.get("dilationRate", 1), "dilationRate") != (1, 1):
                raise EngineError("only dilationRate 1 is supported")
            self.activation: Activation = get_activation(config.get("activation"))
            self.kernel_init = get_initializer(config.get("kernelInitializer", "glorotNormal"))
            self.bias_init = get_initializer(config.get("biasInitializer", "zeros"))
        except EngineError as err:
            raise self.error(err) from None
        _check_format(self, config)
        self.use_bias = config.get("useBias", True)
        if not isinstance(self.use_bias, bool):
            raise self.error("useBias must be true or false")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _spatial(self, input_shape)
        self.window = Window(input_shape, self.kernel_size, self.strides, self.padding)
        oh, ow = self.window.out
        if oh < 1 or ow < 1:
            raise self.error(
                f"kernelSize {list(self.kernel_size)} is larger than the input "
                f"{list(input_shape[:2])} with padding 'valid'"
            )
        return (oh, ow, self.filters)

    def weight_specs(self) -> list[WeightSpec]:
        specs = [("kernel", (*self.kernel_size, self.input_shape[2], self.filters), self.kernel_init)]
        if self.use_bias:
            specs.append(("bias", (self.filters,), self.bias_init))
        return specs

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        windows = self.window.views(self.window.padded(x, 0))
        z = np.tensordot(windows, weights[0], axes=([4, 5, 3], [0, 1, 2]))
        if self.use_bias:
            z = z + weights[1]
        y = self.activation.forward(z)
        return y, (x, windows, z, y)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        x, windows, z, y = cache
        dz = self.activation.backward(dy, z, y)
        kernel = weights[0]
        grads = [np.tensordot(windows, dz, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)]
        if self.use_bias:
            grads.append(np.sum(dz, axis=(0, 1, 2), dtype=dz.dtype))
        dxp = np.zeros((x.shape[0], *self._padded_hw(), x.shape[3]), dtype=dz.dtype)
        for i in range(self.kernel_size[0]):
            for j in range(self.kernel_size[1]):
                rows, cols = self.window.tap(i, j)
                dxp[:, rows, cols, :] += np.matmul(dz, kernel[i, j].T)
        return self.window.crop(dxp), grads

    def _padded_hw(self) -> tuple[int, int]:
        (top, bottom), (left, right) = self.window.pad
        return self.input_shape[0] + top + bottom, self.input_shape[1] + left + right


class Pooling2D(Layer):
    """Shared config of the 2-D pooling layers: poolSize [2, 2], strides = poolSize, 'valid'."""

    keys = ("poolSize", "strides", "padding", "dataFormat")

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        try:
            self.pool_size = int_pair(config.get("poolSize", 2), "poolSize")
            strides = config.get("strides")
            self.strides = self.pool_size if strides is None else int_pair(strides, "strides")
            self.padding = choice(config.get("padding", "valid"), "padding", PADDINGS)
        except EngineError as err:
            raise self.error(err) from None
        _check_format(self, config)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _spatial(self, input_shape)
        self.window = Window(input_shape, self.pool_size, self.strides, self.padding)
        oh, ow = self.window.out
        if oh < 1 or ow < 1:
            raise self.error(
                f"poolSize {list(self.pool_size)} is larger than the input {list(input_shape[:2])} "
                "with padding 'valid'"
            )
        return (oh, ow, input_shape[2])

    def _padded_shape(self, x: np.ndarray) -> tuple[int, ...]:
        (top, bottom), (left, right) = self.window.pad
        return (x.shape[0], x.shape[1] + top + bottom, x.shape[2] + left + right, x.shape[3])


class MaxPooling2D(Pooling2D):
    """``tf.layers.maxPooling2d``; padding cells never win.

    The gradient goes to one maximum per window. On ties the CPU backend picks the first in
    row-major window order (``pixel > max``) and the WebGL backend the last (``>=``); the
    engine follows the CPU backend. Ties that matter need equal inputs with a nonzero
    gradient, e.g. not the zeros of a relu before the pool, whose gradient is 0 either way.
    """

    type_name = "MaxPooling2D"

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        windows = self.window.views(self.window.padded(x, -np.inf))
        flat = windows.reshape(windows.shape[:4] + (-1,))
        arg = np.argmax(flat, axis=-1)
        y = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
        return y, (self._padded_shape(x), arg)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        padded_shape, arg = cache
        n, oh, ow, c = arg.shape
        (sh, sw), kw = self.strides, self.pool_size[1]
        b, r, col, ch = np.indices(arg.shape, sparse=True)
        rows = r * sh + arg // kw
        cols = col * sw + arg % kw
        dxp = np.zeros(padded_shape, dtype=dy.dtype)
        np.add.at(dxp, (b, rows, cols, ch), dy)
        return self.window.crop(dxp), []


class AveragePooling2D(Pooling2D):
    """``tf.layers.averagePooling2d``: the mean over the window's cells inside the input.

    With ``'same'`` padding the forward pass divides by the number of valid cells, but TF.js's
    ``AvgPoolGrad`` (CPU and WebGL) spreads every ``dy`` with ``1 / (poolH·poolW)`` whatever
    the padding. The engine reproduces that, so at padded borders its gradient is TF.js's,
    not the derivative of the forward pass; with ``'valid'`` the two agree.
    """

    type_name = "AveragePooling2D"

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        windows = self.window.views(self.window.padded(x, 0))
        ones = np.ones((1, *x.shape[1:3], 1), dtype=x.dtype)
        counts = self.window.views(self.window.padded(ones, 0)).sum(axis=(4, 5), dtype=x.dtype)
        total = windows.astype(np.float64).sum(axis=(4, 5))
        return (total / counts).astype(x.dtype), self._padded_shape(x)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        dxp = np.zeros(cache, dtype=dy.dtype)
        share = dy * dy.dtype.type(1 / (self.pool_size[0] * self.pool_size[1]))
        for i in range(self.pool_size[0]):
            for j in range(self.pool_size[1]):
                rows, cols = self.window.tap(i, j)
                dxp[:, rows, cols, :] += share
        return self.window.crop(dxp), []
