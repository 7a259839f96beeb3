# hazard: GF101 GF102
# fix: Create the channel in the child
# fix: Enable gRPC fork support
"""Crawler: worker processes fetch pages through the service while the
parent keeps sending heartbeats on its own connection until they finish.
"""
import os
import sys
import time
from multiprocessing import Process

import grpc

TARGET = os.environ["GF_TARGET"]

channel = grpc.insecure_channel(TARGET)
echo = channel.unary_unary("/gf.Echo/Echo")


def crawl(n):
    for page in range(3):
        echo(("worker %d page %d" % (n, page)).encode(), timeout=3)


def main():
    echo(b"crawl starting", timeout=3)
    workers = [Process(target=crawl, args=(n,)) for n in range(2)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 15
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        echo(b"heartbeat", timeout=3)
        time.sleep(0.05)
    for w in workers:
        w.join(1)
    codes = [w.exitcode for w in workers]
    echo(("crawl finished %s" % codes).encode(), timeout=3)
    if codes != [0, 0]:
        print("workers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
