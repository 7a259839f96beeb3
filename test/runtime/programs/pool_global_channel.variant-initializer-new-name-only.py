# variant: only a Pool initializer that makes the worker's channel under a new name; the inherited channel stays referenced in the worker and the parent's stays open
# expect: fail
"""Checks the echo service, then fans a batch of requests out to a Pool.

The channel is made at import time and used by the parent before the Pool
forks its workers; the tasks reach the parent's channel through a global.
"""
import os
from multiprocessing import Pool

import grpc

TARGET = os.environ["GF_TARGET"]

channel = grpc.insecure_channel(TARGET)
echo = channel.unary_unary("/gf.Echo/Echo")


_worker_echo = None


def _init_worker_channel():
    global _worker_echo
    _worker_echo = grpc.insecure_channel(TARGET).unary_unary("/gf.Echo/Echo")


def handle(item):
    reply = _worker_echo(("item-%d" % item).encode(), timeout=3)
    return reply.decode()


def main():
    # Fail fast if the service is down.
    echo(b"ping", timeout=3)
    with Pool(2, initializer=_init_worker_channel) as pool:
        replies = pool.map(handle, range(6))
    assert replies == ["item-%d" % i for i in range(6)], replies
    print("processed", len(replies), "items")
    print("OK")


if __name__ == "__main__":
    main()
