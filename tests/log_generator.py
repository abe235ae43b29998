"""The synthetic log generator (``bench/generate_log.py``) as a module, loaded once.

``bench/`` is not a package, so tests load the script by path; the module is
registered in ``sys.modules`` because its dataclasses look their module up.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "generate_log.py"


def load_generator() -> ModuleType:
    if "generate_log" in sys.modules:
        return sys.modules["generate_log"]
    spec = importlib.util.spec_from_file_location("generate_log", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_log"] = module
    spec.loader.exec_module(module)
    return module
