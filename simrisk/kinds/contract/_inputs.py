"""The kernel's inputs under their old module name: see :mod:`simrisk.kinds.contract.inputs`.

Kept only so that a Numba cache written before the module was renamed loads:
Numba unpickles a cache index (whose types name ``KernelInputs`` by its old
module) before it checks the index's stamp, so without this module an old
``__pycache__`` would stop every contract run with ``ModuleNotFoundError``
instead of being recompiled. Nothing imports it.
"""

from simrisk.kinds.contract.inputs import *  # noqa: F403
from simrisk.kinds.contract.inputs import __all__  # noqa: F401
