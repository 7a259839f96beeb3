# hazard: GF101
# fix: Close the parent's channel before the fork
"""The parent fetches the job settings once, then starts workers that each
open their own connection. The parent never calls the service again.
"""
import os
import sys
from multiprocessing import Process

import grpc

TARGET = os.environ["GF_TARGET"]


def work(n, settings):
    channel = grpc.insecure_channel(TARGET)
    call = channel.unary_unary("/gf.Echo/Echo")
    for i in range(3):
        call(settings + (" task %d.%d" % (n, i)).encode(), timeout=3)
    channel.close()


def main():
    channel = grpc.insecure_channel(TARGET)
    settings = channel.unary_unary("/gf.Echo/Echo")(b"settings", timeout=3)
    channel.close()

    workers = [Process(target=work, args=(n, settings)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(15)
    codes = [w.exitcode for w in workers]
    if codes != [0, 0]:
        print("workers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
