"""``import-nhse PUBLICATION FILE…``: hands each publication to its connector."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Final

from scorecard.command import CommandResult

# publication name on the command line -> the connector's "module:function" handler
CONNECTORS: Final = {
    "discharge-delays": "scorecard.connectors.nhse_discharge_delays:run_import",
    "virtual-wards": "scorecard.connectors.nhse_virtual_wards:run_import",
}


def run_import(args: argparse.Namespace) -> CommandResult:
    """Run the connector of ``args.publication`` on ``args.files``."""
    module_name, func_name = CONNECTORS[args.publication].split(":")
    handler: Callable[[argparse.Namespace], CommandResult] = getattr(
        importlib.import_module(module_name), func_name
    )
    return handler(args)
