"""The two variables that decide gRPC's fork support (GF301, GF302, GF303): their values when grpc
is imported and when its first channel or server is made, and where the program wrote them."""
import os

from . import report, stacks

FORK_SUPPORT = "GRPC_ENABLE_FORK_SUPPORT"
POLL_STRATEGY = "GRPC_POLL_STRATEGY"
_WATCHED = (FORK_SUPPORT, POLL_STRATEGY)
_KNOWN_ENGINES = ("epoll1", "poll", "none")
_FORK_SAFE_ENGINES = ("epoll1", "poll")

# name -> (value, captured stack) of the program's last write, for locating findings.
_writes = {}
_reported = set()
grpc_import = None  # {"stack": ..., "env": {...}} once grpc is imported
first_object = None  # the same for the first channel or server


def install():
    environ_type = type(os.environ)
    original_setitem = environ_type.__setitem__

    def __setitem__(self, key, value):
        original_setitem(self, key, value)
        if key in _WATCHED and self is os.environ:
            _on_write(key, value, "os.environ")

    environ_type.__setitem__ = __setitem__
    original_putenv = getattr(os, "putenv", None)
    if original_putenv is not None:

        def putenv(key, value):
            original_putenv(key, value)
            if key in _WATCHED:
                _on_write(key, value, "os.putenv")

        putenv.__doc__ = original_putenv.__doc__
        putenv.__name__ = original_putenv.__name__
        os.putenv = putenv


def current(name):
    write = _writes.get(name)
    # os.putenv changes the C environment gRPC reads, but not os.environ.
    if write is not None and write[2] == "os.putenv":
        return write[0]
    return os.environ.get(name)


def snapshot():
    return {name: current(name) for name in _WATCHED}


def fork_support_enabled(env):
    value = env.get(FORK_SUPPORT)
    return value is not None and value.strip().lower() in ("yes", "true", "1")


def first_engine(value):
    """The engine gRPC picks from a comma list: the first it knows; None when it knows none."""
    for name in (value or "").split(","):
        if name.strip() in _KNOWN_ENGINES:
            return name.strip()
    return None


def on_grpc_import(stack):
    global grpc_import
    if grpc_import is not None:
        return
    grpc_import = {"stack": stack, "env": snapshot()}
    report.write({"event": "grpc-import", "stack": stacks.describe(stack), "env": grpc_import["env"]})
    _check_poll_strategy(stack)


def on_first_object(stack):
    """Called before the first channel or server is made: an unknown engine aborts the interpreter there."""
    global first_object
    if first_object is not None:
        return
    first_object = {"stack": stack, "env": snapshot()}
    _check_poll_strategy(stack)
    # Fork support with an engine it cannot work with can abort right here, before any fork.
    check_fork_support_engine(None)


def poll_strategy_at_start():
    """The value gRPC's core reads: at its first channel or server, else the current one."""
    return (first_object["env"] if first_object else snapshot()).get(POLL_STRATEGY)


def check_fork_support_engine(fork_stack):
    """GF302: fork support is on but the poll strategy is not one fork support works with."""
    if grpc_import is None or not fork_support_enabled(grpc_import["env"]):
        return
    value = poll_strategy_at_start()
    engine = first_engine(value)
    if value is not None and engine is None:
        return  # GF303 reports an unknown engine
    if engine in _FORK_SAFE_ENGINES and value is not None:
        return
    written = _writes.get(POLL_STRATEGY)
    where = written[1] if written is not None else grpc_import["stack"]
    _hazard("GF302", where, {"value": value, "engine": engine, "fork": stacks.describe(fork_stack or []),
                             "writtenByProgram": written is not None})


def _on_write(name, value, how):
    stack = stacks.capture()
    _writes[name] = (value, stack, how)
    try:
        if grpc_import is None:
            return
        if name == FORK_SUPPORT:
            # Enabling what was already enabled when grpc was imported asks for nothing new.
            if fork_support_enabled({FORK_SUPPORT: value}) and fork_support_enabled(grpc_import["env"]):
                return
            _hazard("GF301", stack, {"variable": name, "value": value, "how": how,
                                     "after": stacks.describe(grpc_import["stack"])})
        elif first_object is not None:
            if value == first_object["env"].get(POLL_STRATEGY):
                return
            _hazard("GF301", stack, {"variable": name, "value": value, "how": how,
                                     "after": stacks.describe(first_object["stack"])})
        else:
            _check_poll_strategy(stack)
    except Exception:
        pass


def _check_poll_strategy(fallback_stack):
    """GF303: a value with no engine gRPC knows."""
    value = current(POLL_STRATEGY)
    if value is None or first_engine(value) is not None:
        return
    written = _writes.get(POLL_STRATEGY)
    where = written[1] if written is not None else fallback_stack
    _hazard("GF303", where, {"value": value, "writtenByProgram": written is not None})


def _hazard(code, stack, details):
    key = (code, details.get("variable"), details.get("value"))
    if key in _reported:
        return
    _reported.add(key)
    event = {"event": "hazard", "code": code, "stack": stacks.describe(stack)}
    event.update(details)
    report.write(event)
