"""Every fork: where it happened, how (os.fork or a multiprocessing start method) and which gRPC
objects were alive; the child marks those objects inherited."""
import itertools
import os
import sys

from . import environment, objects, report, stacks

_count = itertools.count(1)
_pending = None


def install():
    register = getattr(os, "register_at_fork", None)
    if register is not None:
        register(before=_before, after_in_child=_after_in_child)


def _before():
    global _pending
    _pending = None
    try:
        fork_id = "%d.f%d" % (os.getpid(), next(_count))
        live = objects.alive()
        _pending = (fork_id, live)
        stack = stacks.capture()
        event = {
            "event": "fork",
            "id": fork_id,
            "stack": stacks.describe(stack),
            "method": _start_method(stack),
            "grpcImported": environment.grpc_import is not None,
            "alive": [record.describe() for record in live],
        }
        if environment.grpc_import is not None:
            event["forkSupport"] = environment.fork_support_enabled(environment.grpc_import["env"])
            event["env"] = environment.snapshot()
        report.write(event)
        if live or environment.grpc_import is not None:
            environment.check_fork_support_engine(stack)
    except Exception:
        pass


def _after_in_child():
    try:
        if _pending is not None:
            objects.born_of_fork = _pending[0]
            objects.mark_inherited(_pending[1], _pending[0])
    except Exception:
        pass


def _start_method(stack):
    """`os.fork` for a direct call, else the multiprocessing start method that forked."""
    for code, _line, _offset in stack:
        filename = code.co_filename.replace(os.sep, "/")
        if filename.endswith("multiprocessing/popen_fork.py"):
            return "multiprocessing:fork"
        if filename.endswith("multiprocessing/forkserver.py"):
            return "multiprocessing:forkserver"
    if "multiprocessing" in sys.modules and any(code.co_filename.endswith("pty.py") for code, _l, _o in stack):
        return "pty.fork"
    return "os.fork"
