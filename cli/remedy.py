"""CLI command ``remedy-simulator``: run the local BMC Remedy simulator (H-R1.1 demos and tests).

``sagsflow remedy-simulator [--host 127.0.0.1] [--port 8008] [--user demo --password demo]``
"""

from __future__ import annotations

import argparse

def register(subparsers: argparse._SubParsersAction) -> None:  # noqa: SLF001 - argparse's own type
    """Add the ``remedy-simulator`` command; its handler is stored as ``func``."""
    parser = subparsers.add_parser(
        "remedy-simulator",
        help="run a local BMC Remedy AR REST simulator (in-memory)",
        description="Serve the Remedy REST subset Sagsflow uses, in memory, until Ctrl-C.",
    )
    from connectors.remedy import simulator   # stdlib only (http.server): cheap to build the parser with

    simulator.add_arguments(parser)
    parser.set_defaults(func=simulator.serve)
