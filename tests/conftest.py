"""Shared fixtures."""

from __future__ import annotations

import logging

import pytest
from mlpages.errors import LOGGER_NAME


@pytest.fixture
def warnings_log(caplog):
    """Warnings emitted on mlpages' logger (those that make --strict fail)."""
    caplog.set_level(logging.WARNING, logger=LOGGER_NAME)

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records
                if r.name == LOGGER_NAME and r.levelno >= logging.WARNING]

    return messages
