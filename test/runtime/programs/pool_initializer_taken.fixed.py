# hazard: GF101 GF102
# fix: Create the channel in the child
# fix: Enable gRPC fork support
"""Checks the echo service, then fans requests out to a Pool whose workers
already have an initializer (logging set-up); the tasks reach the parent's
channel through a global.
"""
import logging
import os
from multiprocessing import Pool

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")
os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")
import grpc

TARGET = os.environ["GF_TARGET"]

_echo = None
_echo_pid = None


def _get_echo():
    """Returns this process's own `echo`, made on first use in each process (safe across fork)."""
    global _echo, _echo_pid
    if _echo is None or _echo_pid != os.getpid():
        channel = grpc.insecure_channel(TARGET)
        echo = channel.unary_unary("/gf.Echo/Echo")
        _echo = echo
        _echo_pid = os.getpid()
    return _echo


def setup_logging():
    logging.basicConfig(level=logging.WARNING)


def handle(item):
    reply = _get_echo()(("item-%d" % item).encode(), timeout=3)
    return reply.decode()


def main():
    _get_echo()(b"ping", timeout=3)
    with Pool(2, initializer=setup_logging) as pool:
        replies = pool.map(handle, range(6))
    assert replies == ["item-%d" % i for i in range(6)], replies
    print("OK")


if __name__ == "__main__":
    main()
