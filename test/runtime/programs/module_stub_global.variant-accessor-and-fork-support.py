# variant: accessor keyed on os.getpid() plus 'Enable gRPC fork support'
# expect: ok
"""Module-level client shared by the whole program: the parent registers
the run, worker processes report progress, the parent reports completion.
"""
import os
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")
os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")
import sys
from multiprocessing import Process

import grpc

TARGET = os.environ["GF_TARGET"]


class EchoStub:
    def __init__(self, channel):
        self.Echo = channel.unary_unary("/gf.Echo/Echo")


_stub = None
_stub_pid = None


def _get_stub():
    global _stub, _stub_pid
    if _stub is None or _stub_pid != os.getpid():
        _stub = EchoStub(grpc.insecure_channel(TARGET))
        _stub_pid = os.getpid()
    return _stub


def report(message):
    reply = _get_stub().Echo(message.encode(), timeout=3)
    return reply.decode()


def worker(n):
    for step in range(3):
        report("worker %d step %d" % (n, step))


def main():
    report("run started")
    workers = [Process(target=worker, args=(n,)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(15)
    codes = [w.exitcode for w in workers]
    report("run finished: %s" % codes)
    if codes != [0, 0]:
        print("workers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
