"""2-D convolution and pooling, NHWC (``layers/convolutional.ts``, ``layers/pooling.ts``).

Padding follows ``conv_util.ts::getPadAndOutInfo`` (TF's rule): ``'same'`` gives
``ceil(in / stride)`` outputs and puts the odd padding row or column at the bottom/right.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import Activation, get_activation
from .base import Layer, Shape, WeightSpec, choice, int_pair, positive_int, regularized
from .errors import EngineError
from .initializers import Initializer, get_initializer

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


class BaseConv(Layer):
    """What TF.js's ``BaseConv`` reads for every 2-D convolution layer: the window (kernelSize,
    strides, padding; dilationRate 1 only), activation, useBias and the bias initializer."""

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        try:
            if "kernelSize" not in config:
                raise EngineError("needs kernelSize")
            self.kernel_size = int_pair(config["kernelSize"], "kernelSize")
            self.strides = int_pair(config.get("strides", 1), "strides")
            self.padding = choice(config.get("padding", "valid"), "padding", PADDINGS)
            if int_pair(config.get("dilationRate", 1), "dilationRate") != (1, 1):
                raise EngineError("only dilationRate 1 is supported")
            self.activation: Activation = get_activation(config.get("activation"))
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
        return (oh, ow, self.out_channels(input_shape[2]))

    def out_channels(self, in_channels: int) -> int:
        """The number of output channels for ``in_channels`` input channels."""
        raise NotImplementedError

    def initializer(self, config: dict[str, Any], key: str, default: str) -> Initializer:
        """The initializer ``config[key]`` names (``default`` without one), errors located."""
        try:
            return get_initializer(config.get(key, default))
        except EngineError as err:
            raise self.error(err) from None

    def padded_hw(self) -> tuple[int, int]:
        """The height and width of the padded input."""
        (top, bottom), (left, right) = self.window.pad
        return self.input_shape[0] + top + bottom, self.input_shape[1] + left + right

    def finish(self, z: np.ndarray, weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """``(z + bias, activation(z + bias))``: the bias is the layer's last weight."""
        if self.use_bias:
            z = z + weights[-1]
        return z, self.activation.forward(z)

    def bias_specs(self) -> list[WeightSpec]:
        """The bias weight (one per output channel) when the layer has one: its last weight."""
        return [("bias", (self.output_shape[2],), self.bias_init)] if self.use_bias else []

    def bias_grads(self, dz: np.ndarray) -> list[np.ndarray]:
        """The gradient of the bias added by :meth:`finish`, when the layer has one."""
        return [np.sum(dz, axis=(0, 1, 2), dtype=dz.dtype)] if self.use_bias else []


def _filters(layer: Layer, config: dict[str, Any]) -> int:
    try:
        return positive_int(config.get("filters"), "filters")
    except EngineError as err:
        raise layer.error(err) from None


def _multiplier(layer: Layer, config: dict[str, Any]) -> int:
    try:
        return positive_int(config.get("depthMultiplier", 1), "depthMultiplier")
    except EngineError as err:
        raise layer.error(err) from None


def depthwise_forward(window: Window, x: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Depthwise convolution of NHWC ``x`` with a ``[kh, kw, C, M]`` kernel.

    Output channel ``c·M + m`` is input channel ``c`` convolved with ``kernel[:, :, c, m]``,
    TF.js's ``depthwiseConv2d`` order. Returns the output and the input windows.
    """
    windows = window.views(window.padded(x, 0))
    z = np.einsum("nijcab,abcm->nijcm", windows, kernel)
    return z.reshape(*z.shape[:3], -1), windows


def depthwise_backward(
    window: Window, padded_hw: tuple[int, int], windows: np.ndarray, kernel: np.ndarray, dz: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(dx, dkernel)`` of ``depthwise_forward`` for the output gradient ``dz``."""
    n, c = windows.shape[0], windows.shape[3]
    dz = dz.reshape(*dz.shape[:3], c, -1)
    dkernel = np.einsum("nijcab,nijcm->abcm", windows, dz)
    dxp = np.zeros((n, *padded_hw, c), dtype=dz.dtype)
    for i in range(kernel.shape[0]):
        for j in range(kernel.shape[1]):
            rows, cols = window.tap(i, j)
            dxp[:, rows, cols, :] += np.einsum("nijcm,cm->nijc", dz, kernel[i, j])
    return window.crop(dxp), dkernel


class Conv2D(BaseConv):
    """``tf.layers.conv2d``: ``activation(conv(x, kernel) + bias)``, kernel ``[kh, kw, inC, outC]``."""

    layer_type = "conv2d"
    type_name = "Conv2D"
    keys = (
        "filters",
        "kernelSize",
        "strides",
        "padding",
        "activation",
        "useBias",
        "kernelInitializer",
        "biasInitializer",
    )
    file_keys = ("dataFormat", "dilationRate")
    unsupported_keys = regularized("kernel", "bias")

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        self.filters = _filters(self, config)
        self.kernel_init = self.initializer(config, "kernelInitializer", "glorotNormal")

    def out_channels(self, in_channels: int) -> int:
        return self.filters

    def weight_specs(self) -> list[WeightSpec]:
        shape = (*self.kernel_size, self.input_shape[2], self.filters)
        return [("kernel", shape, self.kernel_init), *self.bias_specs()]

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        windows = self.window.views(self.window.padded(x, 0))
        z, y = self.finish(np.tensordot(windows, weights[0], axes=([4, 5, 3], [0, 1, 2])), weights)
        return y, (x, windows, z, y)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        x, windows, z, y = cache
        dz = self.activation.backward(dy, z, y)
        kernel = weights[0]
        dkernel = np.tensordot(windows, dz, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)
        grads = [dkernel, *self.bias_grads(dz)]
        dxp = np.zeros((x.shape[0], *self.padded_hw(), x.shape[3]), dtype=dz.dtype)
        for i in range(self.kernel_size[0]):
            for j in range(self.kernel_size[1]):
                rows, cols = self.window.tap(i, j)
                dxp[:, rows, cols, :] += np.matmul(dz, kernel[i, j].T)
        return self.window.crop(dxp), grads


class DepthwiseConv2D(BaseConv):
    """``tf.layers.depthwiseConv2d``: each input channel convolved with its own
    ``depthMultiplier`` filters (kernel ``[kh, kw, inC, depthMultiplier]``), then bias and
    activation. The kernel's default initializer is glorotNormal, as for conv2d."""

    layer_type = "depthwiseConv2d"
    type_name = "DepthwiseConv2D"
    keys = (
        "kernelSize",
        "strides",
        "padding",
        "depthMultiplier",
        "activation",
        "useBias",
        "depthwiseInitializer",
        "biasInitializer",
    )
    file_keys = ("dataFormat", "dilationRate")
    unsupported_keys = regularized("depthwise", "bias")

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        self.multiplier = _multiplier(self, config)
        self.depthwise_init = self.initializer(config, "depthwiseInitializer", "glorotNormal")

    def out_channels(self, in_channels: int) -> int:
        return in_channels * self.multiplier

    def weight_specs(self) -> list[WeightSpec]:
        shape = (*self.kernel_size, self.input_shape[2], self.multiplier)
        return [("depthwise_kernel", shape, self.depthwise_init), *self.bias_specs()]

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        d, windows = depthwise_forward(self.window, x, weights[0])
        z, y = self.finish(d, weights)
        return y, (windows, z, y)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        windows, z, y = cache
        dz = self.activation.backward(dy, z, y)
        dx, dkernel = depthwise_backward(self.window, self.padded_hw(), windows, weights[0], dz)
        return dx, [dkernel, *self.bias_grads(dz)]


class SeparableConv2D(BaseConv):
    """``tf.layers.separableConv2d``: a depthwise convolution (kernel ``[kh, kw, inC, M]``)
    followed by a 1×1 convolution (``[1, 1, inC·M, filters]``), then bias and activation.

    Weights in TF.js's order: depthwise_kernel, pointwise_kernel, bias. Both kernels default
    to glorotUniform, and TF.js 4.22 draws the pointwise kernel with the *depthwise*
    initializer when one is given (``pointwiseInitializer`` is read but never used); the
    engine draws the same way.
    """

    layer_type = "separableConv2d"
    type_name = "SeparableConv2D"
    keys = (
        "filters",
        "kernelSize",
        "strides",
        "padding",
        "depthMultiplier",
        "activation",
        "useBias",
        "depthwiseInitializer",
        "pointwiseInitializer",
        "biasInitializer",
    )
    file_keys = ("dataFormat", "dilationRate")
    unsupported_keys = regularized("depthwise", "pointwise", "bias")

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        self.filters = _filters(self, config)
        self.multiplier = _multiplier(self, config)
        self.depthwise_init = self.initializer(config, "depthwiseInitializer", "glorotUniform")
        self.initializer(config, "pointwiseInitializer", "glorotUniform")  # checked, unused by TF.js
        self.pointwise_init = self.depthwise_init

    def out_channels(self, in_channels: int) -> int:
        return self.filters

    def weight_specs(self) -> list[WeightSpec]:
        channels = self.input_shape[2]
        specs: list[WeightSpec] = [
            ("depthwise_kernel", (*self.kernel_size, channels, self.multiplier), self.depthwise_init),
            ("pointwise_kernel", (1, 1, channels * self.multiplier, self.filters), self.pointwise_init),
        ]
        return [*specs, *self.bias_specs()]

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        d, windows = depthwise_forward(self.window, x, weights[0])
        z, y = self.finish(np.matmul(d, weights[1][0, 0]), weights)
        return y, (windows, d, z, y)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        windows, d, z, y = cache
        dz = self.activation.backward(dy, z, y)
        pointwise = weights[1][0, 0]
        dpointwise = np.tensordot(d, dz, axes=([0, 1, 2], [0, 1, 2]))
        dd = np.matmul(dz, pointwise.T)
        dx, dkernel = depthwise_backward(self.window, self.padded_hw(), windows, weights[0], dd)
        return dx, [dkernel, dpointwise[None, None], *self.bias_grads(dz)]


class Pooling2D(Layer):
    """Shared config of the 2-D pooling layers: poolSize [2, 2], strides = poolSize, 'valid'."""

    keys = ("poolSize", "strides", "padding")
    file_keys = ("dataFormat",)

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

    layer_type = "maxPooling2d"
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

    layer_type = "averagePooling2d"
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


def _pad_pairs(value: object) -> tuple[tuple[int, int], tuple[int, int]]:
    """``padding`` of zeroPadding2d: ``n``, ``[h, w]`` or ``[[top, bottom], [left, right]]``.

    Raises:
        EngineError: For anything else, or a negative amount.
    """
    if value is None:
        return (1, 1), (1, 1)
    bad = EngineError(
        "padding must be a non-negative integer, [height, width] or "
        f"[[top, bottom], [left, right]], not {value!r}"
    )

    def pair(side: object) -> tuple[int, int]:
        both = list(side) if isinstance(side, list | tuple) else [side, side]
        sizes = [v for v in both if isinstance(v, int) and not isinstance(v, bool) and v >= 0]
        if len(both) != 2 or len(sizes) != 2:
            raise bad
        return sizes[0], sizes[1]

    if not isinstance(value, list | tuple):
        return pair(value), pair(value)
    if len(value) != 2:
        raise bad
    return pair(value[0]), pair(value[1])


class ZeroPadding2D(Layer):
    """``tf.layers.zeroPadding2d`` (``layers/padding.ts``): zero rows and columns around each
    image; ``padding`` defaults to 1 on every side."""

    layer_type = "zeroPadding2d"
    type_name = "ZeroPadding2D"
    keys = ("padding",)
    file_keys = ("dataFormat",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        try:
            self.pad = _pad_pairs(config.get("padding"))
        except EngineError as err:
            raise self.error(err) from None
        _check_format(self, config)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _spatial(self, input_shape)
        (top, bottom), (left, right) = self.pad
        return (input_shape[0] + top + bottom, input_shape[1] + left + right, input_shape[2])

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        return np.pad(x, ((0, 0), *self.pad, (0, 0))), None

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        (top, _), (left, _) = self.pad
        h, w = self.input_shape[:2]
        return dy[:, top : top + h, left : left + w], []


class GlobalPooling2D(Layer):
    """Shared part of the global 2-D pooling layers (``layers/pooling.ts``): one value per
    channel, output ``[channels]``."""

    file_keys = ("dataFormat",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        _check_format(self, config)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _spatial(self, input_shape)
        return (input_shape[2],)


class GlobalAveragePooling2D(GlobalPooling2D):
    """``tf.layers.globalAveragePooling2d``: ``tf.mean`` over height and width.

    As TF.js's CPU ``Mean`` kernel, each element is divided by ``H·W`` in float32 and the
    quotients summed (in doubles); the gradient (``Mean``'s) is ``dy / (H·W)`` at every cell.
    """

    layer_type = "globalAveragePooling2d"
    type_name = "GlobalAveragePooling2D"

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        count = x.dtype.type(x.shape[1] * x.shape[2])
        return (x / count).sum(axis=(1, 2), dtype=np.float64).astype(x.dtype), x.shape

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        count = dy.dtype.type(cache[1] * cache[2])
        return np.broadcast_to((dy / count)[:, None, None, :], cache).copy(), []


class GlobalMaxPooling2D(GlobalPooling2D):
    """``tf.layers.globalMaxPooling2d``: ``tf.max`` over height and width.

    The gradient is TF.js's for ``Max``: ``dy · (x == max)``, so every cell that ties for the
    maximum receives the whole ``dy`` (unlike maxPooling2d, which picks one).
    """

    layer_type = "globalMaxPooling2d"
    type_name = "GlobalMaxPooling2D"

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        y = np.max(x, axis=(1, 2))
        return y, (x, y)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        x, y = cache
        ties = (x == y[:, None, None, :]).astype(dy.dtype)
        return dy[:, None, None, :] * ties, []
