# hazard: GF101 GF102
# variant: Enable gRPC fork support only (what fix-all with unsafe fixes applied before: fork support closes the parent's channel in the workers)
# expect: fail
"""Checks the echo service, then fans requests out to a Pool whose workers
already have an initializer (logging set-up); the tasks reach the parent's
channel through a global.
"""
import logging
import os
from multiprocessing import Pool

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")
os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")
import grpc  # noqa: E402

TARGET = os.environ["GF_TARGET"]

channel = grpc.insecure_channel(TARGET)
echo = channel.unary_unary("/gf.Echo/Echo")


def setup_logging():
    logging.basicConfig(level=logging.WARNING)


def handle(item):
    reply = echo(("item-%d" % item).encode(), timeout=3)
    return reply.decode()


def main():
    echo(b"ping", timeout=3)
    with Pool(2, initializer=setup_logging) as pool:
        replies = pool.map(handle, range(6))
    assert replies == ["item-%d" % i for i in range(6)], replies
    print("OK")


if __name__ == "__main__":
    main()
