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
    cls.layer_type: cls
    for cls in (
        Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Reshape, ActivationLayer, LeakyReLU,
        Dropout, BatchNormalization, DepthwiseConv2D, SeparableConv2D, ZeroPadding2D,
        GlobalAveragePooling2D, GlobalMaxPooling2D, ReLU,
    )
}
"""Layer types by their ``tf.layers.<type>`` factory name, in the order messages list them."""

TFJS_ONLY_LAYERS = (
    "conv1d", "conv2dTranspose", "layerNormalization", "prelu", "embedding", "lstm", "gru", "simpleRNN",
    "concatenate", "add", "upSampling2d", "cropping2D", "gaussianNoise",
)
"""TF.js 4.22 layer types the engine does not reproduce (yet): named as such, not as unknown."""

TFJS_WEIGHT_NAMES: dict[str, str] = {
    engine: tfjs for cls in LAYERS.values() for engine, tfjs in cls.tfjs_weight_names.items()
}
"""Engine weight suffixes whose TF.js variable names differ (``movingMean`` → ``moving_mean``)."""

__all__ = ["COMMON_KEYS", "LAYERS", "TFJS_ONLY_LAYERS", "TFJS_WEIGHT_NAMES", "Layer", "Shape"]
