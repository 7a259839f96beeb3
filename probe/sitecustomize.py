"""Starts the gRPC Fork Guard probe in every Python process that `grpc-fork-guard run` starts.

This folder is put first on PYTHONPATH so Python imports this file at start-up in place of any
other `sitecustomize`; that one is run afterwards, so the program's own start-up is unchanged.
The probe does nothing unless GRPC_FORK_GUARD_REPORT names a report file.
"""
import os
import sys


def _real(path):
    try:
        return os.path.realpath(path or os.curdir)
    except (OSError, ValueError):
        return path


def _start_probe():
    if not os.environ.get("GRPC_FORK_GUARD_REPORT"):
        return
    try:
        import grpc_fork_guard_probe

        grpc_fork_guard_probe.install()
    except Exception:  # the probe must never stop the program
        pass


def _run_next_sitecustomize(ours):
    # The program sees the module path it would see without the probe.
    sys.path[:] = [entry for entry in sys.path if _real(entry) != ours]
    import importlib.machinery
    import importlib.util

    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", sys.path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_start_probe()
_run_next_sitecustomize(_real(os.path.dirname(os.path.abspath(__file__))))
