"""Bench harness only: drop Streamlit's "missing ScriptRunContext" warning, keep every other one."""

from __future__ import annotations

import logging

# Streamlit logs it from here whenever code asks for a script's context outside a script run,
# as AppTest does from the bench's own thread; it says nothing about the pages measured.
CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
MISSING_CONTEXT = "missing ScriptRunContext"


class DropMissingContext(logging.Filter):
    """Refuses the missing-context warning; lets every other record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        return MISSING_CONTEXT not in record.getMessage()


def silence_missing_context() -> None:
    """Filter the warning out of Streamlit's logger, once.

    A filter, unlike a log level, survives Streamlit setting every one of its loggers' levels
    again each time it reads its configuration.
    """
    logger = logging.getLogger(CONTEXT_LOGGER)
    if not any(isinstance(f, DropMissingContext) for f in logger.filters):
        logger.addFilter(DropMissingContext())
