# hazard: GF101 GF301
# fix: Enable gRPC fork support
"""Nightly export: the parent reports progress through its own client and
each worker process opens its own channel. The poll strategy is set before
grpc is imported, but fork support is switched on under the __main__ guard,
long after the import.
"""
import os
import sys
from multiprocessing import Process

os.environ["GRPC_POLL_STRATEGY"] = "poll"

if "GRPC_ENABLE_FORK_SUPPORT" not in os.environ:
    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"
import grpc  # noqa: E402

TARGET = os.environ["GF_TARGET"]

channel = grpc.insecure_channel(TARGET)
progress = channel.unary_unary("/gf.Echo/Echo")


def export_shard(n):
    worker_channel = grpc.insecure_channel(TARGET)
    upload = worker_channel.unary_unary("/gf.Echo/Echo")
    for part in range(3):
        upload(("shard %d part %d" % (n, part)).encode(), timeout=3)
    worker_channel.close()


def main():
    progress(b"export started", timeout=3)
    workers = [Process(target=export_shard, args=(n,)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(15)
    codes = [w.exitcode for w in workers]
    progress(("export finished %s" % codes).encode(), timeout=3)
    if codes != [0, 0]:
        print("workers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"
    main()
