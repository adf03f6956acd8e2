"""TF.js 4.22 optimizers (``tfjs-core/src/optimizers``), step by step in float32.

Hyperparameters become float32 scalars exactly where TF.js turns JS numbers into tensors,
e.g. ``1 - beta1`` is rounded once from a double, while ``1 - accBeta1`` is a float32
subtraction from the float32 ``accBeta1`` variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from .errors import EngineError, unknown

F32 = np.float32


def resolve_optimizer(spec: str | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Turns a compile string or ``{"name", "args"}`` into a name and complete arguments.

    Missing arguments take the bare-string values of ``OPTIMIZER_DEFAULTS`` (so ``adadelta``
    without a learning rate means 1, as ``compile('adadelta')`` does, not
    ``tf.train.adadelta()``'s 0.001). ``epsilon`` stays absent unless given.

    Raises:
        EngineError: For unknown names or arguments, or a momentum optimizer without
            ``learningRate`` and ``momentum``.
    """
    if isinstance(spec, str):
        if spec.lower() == "momentum":
            raise EngineError(
                "optimizer 'momentum' has no compile string in TF.js; write "
                "{name: momentum, args: {learningRate: ..., momentum: ...}}"
            )
        if spec not in COMPILE_NAMES:
            raise unknown("optimizer", spec, COMPILE_NAMES)
        name = COMPILE_NAMES[spec]
        return name, dict(OPTIMIZER_DEFAULTS[name])
    if not isinstance(spec, Mapping) or "name" not in spec:
        raise EngineError(f"optimizer must be a name or {{name, args}}, not {spec!r}")
    name = spec["name"]
    if name not in TRAIN_ARGS:
        raise unknown("optimizer", name, TRAIN_ARGS)
    given = dict(spec.get("args") or {})
    for key in given:
        if key not in TRAIN_ARGS[name]:
            raise unknown(f"argument of tf.train.{name}:", key, TRAIN_ARGS[name])
    if name == "momentum":
        missing = [k for k in ("learningRate", "momentum") if given.get(k) is None]
        if missing:
            raise EngineError(f"tf.train.momentum needs {' and '.join(missing)}")
        return name, {"useNesterov": False, **given}
    args = dict(OPTIMIZER_DEFAULTS[name])
    args.update({k: v for k, v in given.items() if v is not None})
    return name, args


class Optimizer:
    """A TF.js optimizer; slots are created lazily on the first step, as in TF.js.

    Subclasses declare ``name`` (``tf.train.<name>``), ``arg_names`` (the parameters of
    that constructor, in TF.js's order) and ``defaults`` (what the bare ``compile`` string
    means, as ``tf.train.<name>`` arguments; ``None`` when TF.js has no bare string).
    ``epsilon`` is deliberately absent from ``defaults``: the bare strings use the backend
    epsilon.

    Args:
        args: Complete ``tf.train.<name>`` arguments (see ``resolve_optimizer``).
        backend_epsilon: ``tf.backend().epsilon()``, used when ``epsilon`` is absent.
    """

    name: ClassVar[str] = ""
    arg_names: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[dict[str, Any] | None] = None

    def __init__(self, args: Mapping[str, Any], backend_epsilon: float) -> None:
        self.args = dict(args)
        self.backend_epsilon = backend_epsilon
        self.lr = F32(args["learningRate"])
        eps = args.get("epsilon")
        self.eps = F32(backend_epsilon if eps is None else eps)
        self.slots: list[dict[str, np.ndarray]] | None = None

    def _make_slots(self, weight: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def step(self, weights: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """Applies one update and returns the new weights (float32)."""
        if self.slots is None:
            self.slots = [self._make_slots(w) for w in weights]
        new = [self._update(w, g, s) for w, g, s in zip(weights, grads, self.slots, strict=True)]
        self._after_step()
        return new

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def _after_step(self) -> None:
        pass


class SGD(Optimizer):
    name = "sgd"
    arg_names = ("learningRate",)
    defaults = {"learningRate": 0.01}

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        return -self.lr * g + w


class Momentum(Optimizer):
    name = "momentum"
    arg_names = ("learningRate", "momentum", "useNesterov")

    def __init__(self, args: Mapping[str, Any], backend_epsilon: float) -> None:
        super().__init__(args, backend_epsilon)
        self.m = F32(args["momentum"])
        self.nesterov = bool(args.get("useNesterov", False))

    def _make_slots(self, weight: np.ndarray) -> dict[str, np.ndarray]:
        return {"acc": np.zeros_like(weight)}

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        s["acc"] = self.m * s["acc"] + g
        if self.nesterov:
            return -self.lr * (g + s["acc"] * self.m) + w
        return -self.lr * s["acc"] + w


class Adam(Optimizer):
    name = "adam"
    arg_names = ("learningRate", "beta1", "beta2", "epsilon")
    defaults = {"learningRate": 0.001, "beta1": 0.9, "beta2": 0.999}

    def __init__(self, args: Mapping[str, Any], backend_epsilon: float) -> None:
        super().__init__(args, backend_epsilon)
        self.beta1, self.beta2 = F32(args["beta1"]), F32(args["beta2"])
        self.one_minus_beta1 = F32(1 - args["beta1"])
        self.one_minus_beta2 = F32(1 - args["beta2"])
        self.acc_beta1, self.acc_beta2 = self.beta1, self.beta2

    def _make_slots(self, weight: np.ndarray) -> dict[str, np.ndarray]:
        return {"m": np.zeros_like(weight), "v": np.zeros_like(weight)}

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        s["m"] = s["m"] * self.beta1 + g * self.one_minus_beta1
        s["v"] = s["v"] * self.beta2 + (g * g) * self.one_minus_beta2
        m_hat = s["m"] / (F32(1) - self.acc_beta1)
        v_hat = s["v"] / (F32(1) - self.acc_beta2)
        return (m_hat / (np.sqrt(v_hat) + self.eps)) * -self.lr + w

    def _after_step(self) -> None:
        self.acc_beta1 = self.acc_beta1 * self.beta1
        self.acc_beta2 = self.acc_beta2 * self.beta2


class RMSProp(Optimizer):
    name = "rmsprop"
    arg_names = ("learningRate", "decay", "momentum", "epsilon", "centered")
    defaults = {"learningRate": 0.001, "decay": 0.9, "momentum": 0.0, "centered": False}

    def __init__(self, args: Mapping[str, Any], backend_epsilon: float) -> None:
        super().__init__(args, backend_epsilon)
        self.decay = F32(args["decay"])
        self.one_minus_decay = F32(1 - args["decay"])
        self.momentum = F32(args["momentum"])
        self.centered = bool(args.get("centered", False))

    def _make_slots(self, weight: np.ndarray) -> dict[str, np.ndarray]:
        names = ("ms", "mom", "mg") if self.centered else ("ms", "mom")
        return {name: np.zeros_like(weight) for name in names}

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        s["ms"] = s["ms"] * self.decay + (g * g) * self.one_minus_decay
        if self.centered:
            # TF.js 4.22 subtracts epsilon instead of adding it: NaN once ms - mg^2 < eps.
            s["mg"] = s["mg"] * self.decay + g * self.one_minus_decay
            with np.errstate(invalid="ignore"):
                denom = np.sqrt(s["ms"] - (s["mg"] * s["mg"] + self.eps))
        else:
            denom = np.sqrt(s["ms"] + self.eps)
        s["mom"] = s["mom"] * self.momentum + (g * self.lr) / denom
        return w - s["mom"]


class Adagrad(Optimizer):
    name = "adagrad"
    arg_names = ("learningRate", "initialAccumulatorValue")
    defaults = {"learningRate": 0.01, "initialAccumulatorValue": 0.1}

    def __init__(self, args: Mapping[str, Any], backend_epsilon: float) -> None:
        super().__init__(args, backend_epsilon)
        # tf.train.adagrad takes no epsilon: it reads the backend's at every step.
        self.eps = F32(backend_epsilon)
        self.initial = F32(args["initialAccumulatorValue"])

    def _make_slots(self, weight: np.ndarray) -> dict[str, np.ndarray]:
        return {"acc": np.full_like(weight, self.initial)}

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        s["acc"] = s["acc"] + g * g
        return (g / np.sqrt(s["acc"] + self.eps)) * -self.lr + w


class Adadelta(Optimizer):
    name = "adadelta"
    arg_names = ("learningRate", "rho", "epsilon")
    defaults = {"learningRate": 1.0, "rho": 0.95}

    def __init__(self, args: Mapping[str, Any], backend_epsilon: float) -> None:
        super().__init__(args, backend_epsilon)
        self.rho = F32(args["rho"])
        self.one_minus_rho = F32(1 - args["rho"])

    def _make_slots(self, weight: np.ndarray) -> dict[str, np.ndarray]:
        return {"grad": np.zeros_like(weight), "update": np.zeros_like(weight)}

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        new_grad = s["grad"] * self.rho + (g * g) * self.one_minus_rho
        # TF.js scales by the accumulated gradient from *before* this step (Keras uses the new).
        upd = (np.sqrt(s["update"] + self.eps) / np.sqrt(s["grad"] + self.eps)) * g
        s["update"] = s["update"] * self.rho + (upd * upd) * self.one_minus_rho
        s["grad"] = new_grad
        return upd * -self.lr + w


class Adamax(Optimizer):
    name = "adamax"
    arg_names = ("learningRate", "beta1", "beta2", "epsilon", "decay")
    defaults = {"learningRate": 0.002, "beta1": 0.9, "beta2": 0.999, "decay": 0.0}

    def __init__(self, args: Mapping[str, Any], backend_epsilon: float) -> None:
        super().__init__(args, backend_epsilon)
        self.beta1, self.beta2 = F32(args["beta1"]), F32(args["beta2"])
        self.one_minus_beta1 = F32(1 - args["beta1"])
        self.decay = F32(args["decay"])
        self.acc_beta1 = self.beta1
        self.iteration = F32(0)

    def _make_slots(self, weight: np.ndarray) -> dict[str, np.ndarray]:
        return {"m": np.zeros_like(weight), "u": np.zeros_like(weight)}

    def step(self, weights: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        self._lr_t = -self.lr / (self.iteration * self.decay + F32(1))
        self._one_minus_acc = F32(1) - self.acc_beta1
        return super().step(weights, grads)

    def _update(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        s["m"] = s["m"] * self.beta1 + g * self.one_minus_beta1
        s["u"] = np.maximum(s["u"] * self.beta2, np.abs(g))
        return (self._lr_t / self._one_minus_acc) * (s["m"] / (s["u"] + self.eps)) + w

    def _after_step(self) -> None:
        self.iteration = self.iteration + F32(1)
        self.acc_beta1 = self.acc_beta1 * self.beta1


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Adam, RMSProp, Adagrad, Adadelta, Adamax)
}
"""Optimizer classes by their ``tf.train.<name>``."""

TRAIN_ARGS: dict[str, tuple[str, ...]] = {name: cls.arg_names for name, cls in OPTIMIZERS.items()}
"""The parameters of each ``tf.train.<name>`` constructor, in TF.js's order."""

OPTIMIZER_DEFAULTS: dict[str, dict[str, Any]] = {
    name: dict(cls.defaults) for name, cls in OPTIMIZERS.items() if cls.defaults is not None
}
"""What each bare ``compile`` string means, as ``tf.train.<name>`` arguments.

``epsilon`` is deliberately absent: the bare strings use the backend epsilon. ``momentum``
has no bare form (``tf.train.momentum`` only), so it has no entry.
"""

# getOptimizer's map in tfjs-layers/src/optimizers.ts: lower case or exactly these spellings.
COMPILE_NAMES: dict[str, str] = {
    **{name: name for name in OPTIMIZER_DEFAULTS},
    "SGD": "sgd",
    "Adam": "adam",
    "RMSProp": "rmsprop",
    "Adagrad": "adagrad",
    "Adadelta": "adadelta",
    "Adamax": "adamax",
}


def make_optimizer(spec: str | Mapping[str, Any], backend_epsilon: float) -> Optimizer:
    """Builds the optimizer ``compile`` would, refusing what TF.js 4.22 computes wrongly.

    Raises:
        EngineError: For unknown names or arguments, and for centered RMSProp.
    """
    name, args = resolve_optimizer(spec)
    if name == "rmsprop" and args.get("centered"):
        raise EngineError(
            "rmsprop with centered: true is not supported: TF.js 4.22 computes "
            "sqrt(ms - (mg^2 + epsilon)), which becomes NaN once the gradients settle "
            "(NaN from the first epoch on WebGL); use centered: false"
        )
    return OPTIMIZERS[name](args, backend_epsilon)
