# hazard: GF303
# fix: Set GRPC_POLL_STRATEGY to poll
"""Fork support is set up before grpc is imported, as the docs say, but
the poll strategy names an engine gRPC does not have ("epoll").
"""
import os

os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"
os.environ["GRPC_POLL_STRATEGY"] = "epoll"

from multiprocessing import Pool

import grpc

TARGET = os.environ["GF_TARGET"]

_lookup = None


def _init_worker():
    global _lookup
    _lookup = grpc.insecure_channel(TARGET).unary_unary("/gf.Echo/Echo")


def resolve(key):
    return _lookup(key.encode(), timeout=3).decode()


def main():
    channel = grpc.insecure_channel(TARGET)
    lookup = channel.unary_unary("/gf.Echo/Echo")
    lookup(b"index", timeout=3)
    with Pool(2, initializer=_init_worker) as pool:
        values = pool.map(resolve, ["k%d" % i for i in range(6)])
    assert values == ["k%d" % i for i in range(6)], values
    lookup(b"done", timeout=3)
    print("OK")


if __name__ == "__main__":
    main()
