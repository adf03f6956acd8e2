"""The NumPy training engine: float32 replicas of TF.js 4.22 models, losses and optimizers.

It knows nothing of Markdown or MkDocs: it takes arrays and TF.js layer configs and returns
arrays, so that the build can compute, for every training example, what TF.js will compute
in the reader's browser.
"""

from .errors import EngineError
from .layers import LAYERS
from .model import Sequential, init_weights
from .optimizers import OPTIMIZER_DEFAULTS, resolve_optimizer

__all__ = [
    "LAYERS",
    "OPTIMIZER_DEFAULTS",
    "EngineError",
    "Sequential",
    "init_weights",
    "resolve_optimizer",
]
