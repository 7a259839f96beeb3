"""gRPC channels and servers: where each was made, started and closed, and, in a forked child,
the first use of one it inherited (GF102).

The factories (grpc.insecure_channel, grpc.server, ...) are wrapped; the classes of the objects they
return get their close/stop/call methods wrapped once. Objects are held through weak references
only, so the probe never keeps one alive.
"""
import itertools
import os
import sys
import weakref

from . import environment, report, stacks

# Set in a forked child that inherited at least one live object; until then calls pay one check.
inherited_anything = False
# The fork this process was born of, if it was forked (GF202 compares the servers of its children).
born_of_fork = None

_serial = itertools.count(1)
_records = {}  # id(object) -> Record, for looking an object up while it lives
_tracked = set()  # Records whose object, or a multi-callable it made, may still be alive
_owners = {}  # id(multi-callable) -> Record of the channel that made it
_patched = set()

_CHANNEL_CALLABLES = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")
_CALLS = ("__call__", "with_call", "future")


class Record(object):
    __slots__ = ("id", "kind", "api", "stack", "reference", "callables", "wrapped", "reuseport", "closed", "started", "inner", "inherited", "used")

    def __init__(self, kind, api, stack):
        self.id = "%d.%d" % (os.getpid(), next(_serial))
        self.kind = kind
        self.api = api
        self.stack = stack
        self.reference = None
        # A stub keeps only the multi-callables of a channel it was given: they keep its connection.
        self.callables = None
        self.wrapped = None  # where its first multi-callable was made (a stub's constructor)
        self.reuseport = None  # a server's grpc.so_reuseport option, when given
        self.closed = False
        self.started = None
        self.inner = None  # the channel an intercept_channel wraps
        self.inherited = None  # the fork this process inherited it from
        self.used = False

    def alive(self):
        if self.closed:
            return False
        if self.reference is not None and self.reference() is not None:
            return True
        return bool(self.callables)

    def describe(self):
        return {
            "id": self.id,
            "kind": self.kind,
            "api": self.api,
            "stack": stacks.describe(self.stack),
            "started": stacks.describe(self.started) if self.started else None,
            "wrapped": stacks.describe(self.wrapped) if self.wrapped else None,
        }


def alive():
    """Live objects, leaving out an intercepted channel whose inner channel is reported itself."""
    live = []
    for record in list(_tracked):
        if record.alive():
            live.append(record)
        else:
            _tracked.discard(record)
    return [record for record in live if record.inner is None or not record.inner.alive()]


def mark_inherited(records, fork_id):
    global inherited_anything
    for record in records:
        record.inherited = fork_id
        record.used = False
    if records:
        inherited_anything = True


def patch_grpc(module):
    _wrap_factory(module, "insecure_channel", "channel")
    _wrap_factory(module, "secure_channel", "channel")
    _wrap_factory(module, "intercept_channel", "channel")
    _wrap_factory(module, "server", "server")


def patch_grpc_aio(module):
    _wrap_factory(module, "insecure_channel", "aio-channel")
    _wrap_factory(module, "secure_channel", "aio-channel")
    _wrap_factory(module, "server", "aio-server")


def _wrap_factory(module, name, kind):
    original = getattr(module, name, None)
    if original is None or getattr(original, "__grpc_fork_guard__", False):
        return
    api = "%s.%s" % (module.__name__, name)

    def factory(*args, **kwargs):
        stack = None
        try:
            stack = stacks.capture()
            environment.on_first_object(stack)
            if name == "server":
                _check_thread_pool(args, kwargs, stack)
        except Exception:
            pass
        made = original(*args, **kwargs)
        try:
            _track(made, kind, api, stack, args, kwargs)
        except Exception:
            pass
        return made

    _copy_identity(factory, original)
    factory.__grpc_fork_guard__ = True
    setattr(module, name, factory)


def _track(made, kind, api, stack, args, kwargs):
    record = Record(kind, api, stack)
    key = id(made)
    try:
        record.reference = weakref.ref(made, lambda reference, key=key: _forget(_records, key, reference))
    except TypeError:
        return
    if api.endswith("intercept_channel") and args:
        record.inner = _records.get(id(args[0]))
    if kind == "server":
        record.reuseport = _reuseport_option(args[3] if len(args) > 3 else kwargs.get("options"))
    _records[key] = record
    _tracked.add(record)
    _patch_class(type(made), kind)


def _forget(table, key, reference):
    entry = table.get(key)
    if entry is not None and (entry.reference is reference if isinstance(entry, Record) else entry[1] is reference):
        del table[key]


def _record_of(instance):
    record = _records.get(id(instance))
    if record is not None and record.reference() is instance:
        return record
    return None


def _note_use(record, what):
    if record is None or record.inherited is None or record.used:
        return
    record.used = True
    report.write({
        "event": "use",
        "record": record.id,
        "fork": record.inherited,
        "what": what,
        "ppid": os.getppid(),
        "stack": stacks.describe(stacks.capture()),
    })


def _patch_class(cls, kind):
    if cls in _patched:
        return
    _patched.add(cls)
    if kind.endswith("channel"):
        for name in ("close", "__exit__", "__aexit__"):
            _wrap_method(cls, name, _on_close)
        for name in _CHANNEL_CALLABLES:
            _wrap_callable_factory(cls, name)
        _wrap_method(cls, "subscribe", _on_use)
    else:
        _wrap_method(cls, "start", _on_start)
        _wrap_method(cls, "stop", _on_close)
        _wrap_method(cls, "__exit__", _on_close)
        if kind == "server":
            _wrap_method(cls, "add_insecure_port", _on_add_port)
            _wrap_method(cls, "add_secure_port", _on_add_port)


def _on_close(instance, args, kwargs, name):
    record = _record_of(instance)
    if record is not None:
        record.closed = True


def _on_use(instance, args, kwargs, name):
    if inherited_anything:
        _note_use(_record_of(instance), name)


def _on_start(instance, args, kwargs, name):
    record = _record_of(instance)
    if record is None:
        return
    if record.inherited is not None:
        _note_use(record, name)
    elif record.started is None:
        record.started = stacks.capture()


def _on_add_port(instance, args, kwargs, name):
    record = _record_of(instance)
    if inherited_anything:
        _note_use(record, name)
    if born_of_fork is not None and record is not None and record.inherited is None and args:
        # A server made in a forked child binds an address: several children on one address need SO_REUSEPORT.
        report.write({"event": "bind", "fork": born_of_fork, "record": record.id, "address": str(args[0]),
                      "reuseport": record.reuseport, "stack": stacks.describe(record.stack or [])})
    # GF203: the port methods take the address (and, for a secure port, the credentials) only.
    allowed = 1 if name == "add_insecure_port" else 2
    if len(args) > allowed or kwargs:
        extra = sorted(kwargs) or ["%d positional" % (len(args) - allowed)]
        _hazard("GF203", {"method": name, "extra": extra})


def _reuseport_option(options):
    try:
        for option in options or ():
            if option[0] == "grpc.so_reuseport":
                return option[1]
    except Exception:
        pass
    return None


def _check_thread_pool(args, kwargs, stack):
    """GF204: a process pool given to grpc.server as its thread pool."""
    pool = args[0] if args else kwargs.get("thread_pool")
    process_module = sys.modules.get("concurrent.futures.process")
    if pool is not None and process_module is not None and isinstance(pool, process_module.ProcessPoolExecutor):
        event = {"event": "hazard", "code": "GF204", "stack": stacks.describe(stack), "pool": type(pool).__name__}
        report.write(event)


def _hazard(code, details):
    event = {"event": "hazard", "code": code, "stack": stacks.describe(stacks.capture())}
    event.update(details)
    report.write(event)


def _wrap_method(cls, name, hook):
    original = getattr(cls, name, None)
    if original is None or getattr(original, "__grpc_fork_guard__", False):
        return
    if _is_coroutine_function(original):

        async def method(self, *args, **kwargs):
            try:
                hook(self, args, kwargs, name)
            except Exception:
                pass
            return await original(self, *args, **kwargs)
    else:

        def method(self, *args, **kwargs):
            try:
                hook(self, args, kwargs, name)
            except Exception:
                pass
            return original(self, *args, **kwargs)

    _install(cls, name, method, original)


def _wrap_callable_factory(cls, name):
    """channel.unary_unary(...) and friends: remember which channel made each multi-callable."""
    original = getattr(cls, name, None)
    if original is None or getattr(original, "__grpc_fork_guard__", False):
        return

    def method(self, *args, **kwargs):
        if inherited_anything:
            try:
                _note_use(_record_of(self), name)
            except Exception:
                pass
        made = original(self, *args, **kwargs)
        try:
            owner = _record_of(self)
            if owner is not None:
                key = id(made)
                _owners[key] = (owner, weakref.ref(made, lambda reference, key=key: _forget(_owners, key, reference)))
                if owner.callables is None:
                    owner.callables = weakref.WeakSet()
                    owner.wrapped = stacks.capture()
                owner.callables.add(made)
                _patch_calls(type(made))
        except Exception:
            pass
        return made

    _install(cls, name, method, original)


def _patch_calls(cls):
    if cls in _patched:
        return
    _patched.add(cls)
    for name in _CALLS:
        original = getattr(cls, name, None)
        if original is None or getattr(original, "__grpc_fork_guard__", False):
            continue
        _install(cls, name, _call_wrapper(original, name), original)


def _call_wrapper(original, name):
    # The per-RPC path: one flag test unless this process inherited something.
    if _is_coroutine_function(original):

        async def call(self, *args, **kwargs):
            if inherited_anything:
                _note_call(self, name)
            return await original(self, *args, **kwargs)

        return call

    def call(self, *args, **kwargs):
        if inherited_anything:
            _note_call(self, name)
        return original(self, *args, **kwargs)

    return call


def _note_call(multi_callable, name):
    try:
        entry = _owners.get(id(multi_callable))
        if entry is not None and entry[1]() is multi_callable:
            _note_use(entry[0], name)
    except Exception:
        pass


def _install(cls, name, method, original):
    _copy_identity(method, original)
    method.__grpc_fork_guard__ = True
    try:
        setattr(cls, name, method)
    except (TypeError, AttributeError):
        pass


def _copy_identity(wrapper, original):
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        try:
            setattr(wrapper, attribute, getattr(original, attribute))
        except (AttributeError, TypeError):
            pass
    try:
        wrapper.__wrapped__ = original
        wrapper.__dict__.update(getattr(original, "__dict__", {}))
    except (AttributeError, TypeError):
        pass


def _is_coroutine_function(function):
    code = getattr(function, "__code__", None)
    return code is not None and bool(code.co_flags & 0x80)
