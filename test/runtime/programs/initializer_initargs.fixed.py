# hazard: GF101 GF102
# fix: Create the channel in the child
"""Renders pages in a Pool whose initializer builds each worker's stub on
the channel the parent passes through initargs.
"""
import os
import sys
from multiprocessing import Pool

import grpc

TARGET = os.environ["GF_TARGET"]

_echo = None


def init_worker(address):
    global _echo
    channel = grpc.insecure_channel(address)
    _echo = channel.unary_unary("/gf.Echo/Echo")


def render(page):
    record = ("page-%d" % page).encode()
    return _echo(record, timeout=3) == record


def main():
    shared = grpc.insecure_channel(TARGET)
    shared.unary_unary("/gf.Echo/Echo")(b"ping", timeout=3)

    shared.close()
    with Pool(2, initializer=init_worker, initargs=(TARGET,)) as pool:
        results = pool.map(render, range(4))
    if not all(results):
        print("pages failed:", results)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
