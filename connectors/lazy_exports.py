"""Names a connector package exports, imported on first use (PEP 562), so that importing one
submodule, such as the settings, does not import the whole connector (issue 15: the CLI starts fast)."""
from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(namespace: dict, exports: dict[str, str]) -> tuple[Callable, Callable]:
    """The package's `__getattr__` and `__dir__` for `exports` (name -> module that defines it)."""

    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
