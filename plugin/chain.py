"""The NumPy side of training: a model's chain of fits and the bands of unseeded dropout.

A model block starts a :class:`Chain`; each `train` block extends it with one
:class:`FitOp`. The NumPy work is lazy: a model's state after a chain of fits is only
computed when a cache miss needs it, so a warm build touches no engine at all.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .cache import digest
from .engine import Sequential
from .errors import get_logger

if TYPE_CHECKING:
    from .page import ModelInfo

# A model with dropout but no dropout seed trains on masks from Math.random, which no
# reference can follow: its training quantities are checked within the band spanned by
# BAND_RUNS NumPy runs (each with its own masks), widened on each side by BAND_WIDEN times
# that spread (docs/reference/page-contract.md, "Bands"). Measured on the dropout page of
# tests/fixtures/spec_course with 2000 further NumPy runs standing in for the browser: 16 runs left 0.75%
# of them outside a predict cell's band, 32 runs none.
BAND_RUNS = 32
BAND_WIDEN = 1.0


@dataclass
class FitOp:
    """One `fit` call: the arrays and options a train cell passes."""

    cell_id: str
    x: np.ndarray
    y: np.ndarray
    validation: tuple[np.ndarray, np.ndarray] | None
    epochs: int
    batch_size: int
    progress: Progress | None = None  # reports long fits in the build log

    def key_parts(self) -> list[Any]:
        val = list(self.validation) if self.validation else None
        return [self.x, self.y, val, self.epochs, self.batch_size]

    def run(self, engine: Sequential) -> dict[str, list[float]]:
        if self.progress is not None:
            self.progress.start_fit()
        return engine.fit(
            self.x, self.y, epochs=self.epochs, batch_size=self.batch_size,
            validation_data=self.validation,
            on_epoch=self.progress.epoch if self.progress is not None else None,
        )


PROGRESS_MARK = "mlpages_progress"  # on the log records of Progress


@dataclass
class Progress:
    """INFO lines in the build log while a train cell's reference is computed, at most one
    every `interval` seconds: ``docs/x.md:12: train 'fit': reference epoch 40/200``."""

    where: str  # `file:line: train 'name'`
    epochs: int
    fits: int  # how many times the cell's fit is computed: once per epsilon (and band run)
    interval: float
    done_fits: int = 0
    last: float = field(default_factory=time.monotonic)

    def start_fit(self) -> None:
        self.done_fits += 1

    def epoch(self, done: int) -> None:
        """Called after each epoch of a fit; logs when `interval` has passed since the last line."""
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        fit = ""
        if 1 < self.fits and self.done_fits <= self.fits:
            fit = f" (fit {self.done_fits} of {self.fits})"
        # Marked, so that a worker process computing references up front passes it on to the build.
        get_logger().info(f"{self.where}: reference epoch {done}/{self.epochs}{fit}",
                          extra={PROGRESS_MARK: True})


@dataclass
class Chain:
    """A model after a sequence of fits; engines are built on demand per epsilon."""

    model: ModelInfo
    ops: tuple[FitOp, ...] = ()
    key: str = ""
    engines: dict[float, Sequential] = field(default_factory=dict)
    # Unseeded dropout only: BAND_RUNS engines per epsilon, run i drawing masks from noise seed i.
    runs: dict[float, list[Sequential]] = field(default_factory=dict)

    @property
    def stochastic(self) -> bool:
        """Whether this state depends on dropout masks TF.js draws from ``Math.random``."""
        return bool(self.ops) and self.model.unseeded_dropout

    def band_engines(self, epsilon: float) -> list[Sequential]:
        """``BAND_RUNS`` engines in this chain's state, each fitted with its own masks."""
        if epsilon not in self.runs:
            engines = []
            for seed in range(BAND_RUNS):
                engine = Sequential(self.model.layers, noise_seed=seed)
                engine.set_weights(self.model.weights)
                engine.compile(self.model.optimizer, self.model.loss, self.model.metrics, epsilon=epsilon)
                for op in self.ops:
                    op.run(engine)
                engines.append(engine)
            self.runs[epsilon] = engines
        return self.runs[epsilon]

    def take_band_engines(self, epsilon: float) -> list[Sequential]:
        engines = self.band_engines(epsilon)
        del self.runs[epsilon]
        return engines

    def engine(self, epsilon: float) -> Sequential:
        """The engine in this chain's state (computed on first use)."""
        if epsilon not in self.engines:
            engine = Sequential(self.model.layers)
            engine.set_weights(self.model.weights)
            engine.compile(self.model.optimizer, self.model.loss, self.model.metrics, epsilon=epsilon)
            for op in self.ops:
                op.run(engine)
            self.engines[epsilon] = engine
        return self.engines[epsilon]

    def take_engine(self, epsilon: float) -> Sequential:
        """The engine, handed over to a successor state (this chain no longer holds it)."""
        engine = self.engine(epsilon)
        del self.engines[epsilon]
        return engine

    def extend(
        self, op: FitOp, engines: dict[float, Sequential], runs: dict[float, list[Sequential]] | None = None
    ) -> Chain:
        return Chain(self.model, self.ops + (op,), digest(self.key, op.key_parts()), engines, runs or {})


def band(values: Sequence[ArrayLike]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The median, low and high edges of the band spanned by several runs' values.

    The edges are ``min − BAND_WIDEN·(max − min)`` and ``max + BAND_WIDEN·(max − min)``, per
    element; NaN in any run makes that element NaN (a band that accepts nothing), unless
    every run has the same NaN or ±Infinity there (all diverged alike): then both edges are
    that value, the only one a browser value may be.
    """
    stack = np.stack([np.asarray(v, dtype=np.float64) for v in values])
    with np.errstate(invalid="ignore"):  # Infinity − Infinity in a diverged element
        lo, hi = stack.min(axis=0), stack.max(axis=0)
        spread = hi - lo
        low, high = lo - BAND_WIDEN * spread, hi + BAND_WIDEN * spread
        median = np.median(stack, axis=0)
    alike = np.all((stack == stack[0]) | (np.isnan(stack) & np.isnan(stack[0])), axis=0)
    diverged = alike & ~np.isfinite(stack[0])
    low, high = np.where(diverged, stack[0], low), np.where(diverged, stack[0], high)
    return median, low, high
