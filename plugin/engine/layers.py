"""The layer registry: one class per TF.js layer type, by its ``tf.layers.<type>`` name.

The classes live in modules named after TF.js's own (``core``, ``convolutional``,
``normalization``); ``base`` holds the ``Layer`` interface they share.
"""

from __future__ import annotations

from .base import COMMON_KEYS, Layer, Shape
from .convolutional import (
    AveragePooling2D,
    Conv2D,
    DepthwiseConv2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    SeparableConv2D,
    ZeroPadding2D,
)
from .core import ActivationLayer, Dense, Dropout, Flatten, LeakyReLU, ReLU, Reshape
from .normalization import BatchNormalization

LAYERS: dict[str, type[Layer]] = {
    "dense": Dense,
    "conv2d": Conv2D,
    "maxPooling2d": MaxPooling2D,
    "averagePooling2d": AveragePooling2D,
    "depthwiseConv2d": DepthwiseConv2D,
    "separableConv2d": SeparableConv2D,
    "zeroPadding2d": ZeroPadding2D,
    "globalAveragePooling2d": GlobalAveragePooling2D,
    "globalMaxPooling2d": GlobalMaxPooling2D,
    "flatten": Flatten,
    "reshape": Reshape,
    "activation": ActivationLayer,
    "reLU": ReLU,
    "leakyReLU": LeakyReLU,
    "dropout": Dropout,
    "batchNormalization": BatchNormalization,
}
"""Layer types by their ``tf.layers.<type>`` factory name."""

__all__ = ["COMMON_KEYS", "LAYERS", "Layer", "Shape"]
