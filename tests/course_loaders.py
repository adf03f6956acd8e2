"""Dataset loaders that tests name in `loader:` blocks (importable: tests/ is on sys.path)."""

from __future__ import annotations

import numpy as np


def bars() -> dict:
    """Twelve 4x4 images, each a horizontal or a vertical bar, with class names."""
    images, labels = [], []
    for k in range(12):
        image = np.zeros((4, 4), dtype=np.float32)
        if k % 2:
            image[:, k % 4] = 1.0
        else:
            image[k % 4, :] = 1.0
        images.append(image[..., None])
        labels.append([1.0, 0.0] if k % 2 == 0 else [0.0, 1.0])
    return {"x": np.stack(images), "y": np.array(labels), "classes": ["horizontal", "vertical"]}


def table() -> tuple:
    return [[1, 2], [3, 4], [5, 6]], [0, 1, 1]


def ragged() -> tuple:
    return [[1, 2], [3, 4], [5, 6]], [0, 1]


def words() -> tuple:
    return [["a", "b"]], [1]


def three() -> tuple:
    return [[1]], [1], [2]


def with_nan() -> dict:
    return {"x": [[1.0], [float("nan")]], "y": [0, 1]}


def wrong_classes() -> dict:
    return {"x": [[1.0], [2.0]], "y": [[1, 0], [0, 1]], "classes": ["only one"]}


def broken() -> tuple:
    raise RuntimeError("the data server is down")
