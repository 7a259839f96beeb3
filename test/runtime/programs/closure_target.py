# hazard: GF101 GF102
# fix: Create the channel in the child
"""Checks the echo service from the parent, then starts reporter processes
whose target is a nested function that calls through the parent's channel.
"""
import os
import sys
from multiprocessing import Process

import grpc

TARGET = os.environ["GF_TARGET"]


def main():
    channel = grpc.insecure_channel(TARGET)
    channel.unary_unary("/gf.Echo/Echo")(b"ping", timeout=3)

    def report(n):
        echo = channel.unary_unary("/gf.Echo/Echo")
        record = ("report-%d" % n).encode()
        if echo(record, timeout=3) != record:
            sys.exit(2)

    reporters = [Process(target=report, args=(n,)) for n in range(2)]
    for r in reporters:
        r.start()
    for r in reporters:
        r.join(15)
    codes = [r.exitcode for r in reporters]
    if codes != [0, 0]:
        print("reporters failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
