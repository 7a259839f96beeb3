# hazard: GF101 GF102
# fix: Create the channel in the child
# fix: Close the parent's channel before the fork
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


def handle(item):
    reply = echo(("item-%d" % item).encode(), timeout=3)
    return reply.decode()


def main():
    # Fail fast if the service is down.
    echo(b"ping", timeout=3)
    with Pool(2) as pool:
        replies = pool.map(handle, range(6))
    assert replies == ["item-%d" % i for i in range(6)], replies
    print("processed", len(replies), "items")
    print("OK")


if __name__ == "__main__":
    main()
