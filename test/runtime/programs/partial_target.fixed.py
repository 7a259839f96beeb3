# hazard: GF101 GF102
# fix: Create the channel in the child
"""Pings the echo service, then uploads each batch from its own process;
the target binds the parent's stub with functools.partial.
"""
import functools
import os
import sys
from multiprocessing import Process

import grpc

TARGET = os.environ["GF_TARGET"]


class EchoStub:
    def __init__(self, channel):
        self.Echo = channel.unary_unary("/gf.Echo/Echo")


def upload(address, batch):
    stub = EchoStub(grpc.insecure_channel(address))
    for n in range(3):
        record = ("batch-%d-item-%d" % (batch, n)).encode()
        if stub.Echo(record, timeout=3) != record:
            sys.exit(2)


def main():
    channel = grpc.insecure_channel(TARGET)
    stub = EchoStub(channel)
    stub.Echo(b"ping", timeout=3)

    channel.close()

    uploads = [Process(target=functools.partial(upload, TARGET, b)) for b in range(2)]
    for u in uploads:
        u.start()
    for u in uploads:
        u.join(15)
    codes = [u.exitcode for u in uploads]
    if codes != [0, 0]:
        print("uploads failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
