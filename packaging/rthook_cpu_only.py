"""PyInstaller runtime hook: runs inside the bundle before Gaerchen's first import.

The bundle is built for the CPU: it leaves out the GPU libraries that PyTorch
only loads on a GPU (cuDNN's engines, cuSOLVER, ...) and may replace the ones
it links but never calls on the CPU with stubs (see packaging/cuda_stubs.py).
So hide any GPU before torch looks for one, or torch would pick it and fail
in a missing library.

torch.compile needs a C++ compiler and torch's headers, which the bundle
leaves out too; turn it into a no-op so ``gaerchen train`` trains eagerly
instead of failing (the window never compiles).
"""

import logging
import os

os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ["TORCH_COMPILE_DISABLE"] = "1"

# Started with an empty environment (``env -i``), Qt would keep its settings under /.config
# while platformdirs finds the home folder through the password database: give both the same.
if not os.environ.get("HOME") and os.path.expanduser("~") != "~":
    os.environ["HOME"] = os.path.expanduser("~")

# Started with no locale at all (``env -i``, some launchers), Qt warns and switches to
# C.UTF-8 by itself; say so up front instead.
if not any(os.environ.get(v) for v in ("LC_ALL", "LC_CTYPE", "LANG")):
    os.environ["LC_CTYPE"] = "C.UTF-8"

# torch.compile (a no-op here) imports torch's FLOP counter, which warns that triton, left out
# of the bundle on purpose, is missing.
logging.getLogger("torch.utils.flop_counter").setLevel(logging.ERROR)
