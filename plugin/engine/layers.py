"""The layer registry: one class per TF.js layer type, by its ``tf.layers.<type>`` name.

The classes live in modules named after TF.js's own (``core``, ``convolutional``,
``normalization``); ``base`` holds the ``Layer`` interface they share.
"""

from __future__ import annotations

from .base import COMMON_KEYS, Layer, Shape
from .convolutional import AveragePooling2D, Conv2D, MaxPooling2D
from .core import ActivationLayer, Dense, Dropout, Flatten, LeakyReLU, Reshape
from .normalization import BatchNormalization

LAYERS: dict[str, type[Layer]] = {
    "dense": Dense,
    "conv2d": Conv2D,
    "maxPooling2d": MaxPooling2D,
    "averagePooling2d": AveragePooling2D,
    "flatten": Flatten,
    "reshape": Reshape,
    "activation": ActivationLayer,
    "leakyReLU": LeakyReLU,
    "dropout": Dropout,
    "batchNormalization": BatchNormalization,
}
"""Layer types by their ``tf.layers.<type>`` factory name."""

__all__ = ["COMMON_KEYS", "LAYERS", "Layer", "Shape"]
