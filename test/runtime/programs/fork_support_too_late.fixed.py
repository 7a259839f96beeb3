# hazard: GF301
# fix: Move the environment settings above `import grpc`
"""Report generator: the parent keeps its client for progress updates and
each worker process opens its own. Fork support is switched on, but only
after grpc has been imported.
"""
import os
import sys
from multiprocessing import Process

os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"
os.environ["GRPC_POLL_STRATEGY"] = "poll"
import grpc

TARGET = os.environ["GF_TARGET"]

channel = grpc.insecure_channel(TARGET)
progress = channel.unary_unary("/gf.Echo/Echo")


def build_section(n):
    worker_channel = grpc.insecure_channel(TARGET)
    render = worker_channel.unary_unary("/gf.Echo/Echo")
    for part in range(3):
        render(("section %d part %d" % (n, part)).encode(), timeout=3)
    worker_channel.close()


def main():
    progress(b"report started", timeout=3)
    workers = [Process(target=build_section, args=(n,)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(15)
    codes = [w.exitcode for w in workers]
    progress(("report finished %s" % codes).encode(), timeout=3)
    if codes != [0, 0]:
        print("workers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
