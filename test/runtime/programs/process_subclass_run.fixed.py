# hazard: GF101 GF102
# fix: Create the channel in the child
"""Pollers are Process subclasses: the constructor (in the parent) stores
the parent's stub, run() (in the child) calls it.
"""
import multiprocessing
import os
import sys

import grpc

TARGET = os.environ["GF_TARGET"]


class EchoStub:
    def __init__(self, channel):
        self.Echo = channel.unary_unary("/gf.Echo/Echo")


class Poller(multiprocessing.Process):
    def __init__(self, address, queue_name):
        super().__init__()
        self.stub_address = address
        self.queue_name = queue_name

    def run(self):
        channel = grpc.insecure_channel(self.stub_address)
        self.stub = EchoStub(channel)
        for n in range(3):
            record = ("%s-%d" % (self.queue_name, n)).encode()
            if self.stub.Echo(record, timeout=3) != record:
                sys.exit(2)


def main():
    channel = grpc.insecure_channel(TARGET)
    stub = EchoStub(channel)
    stub.Echo(b"ping", timeout=3)

    pollers = [Poller(TARGET, name) for name in ("high", "low")]
    channel.close()
    for p in pollers:
        p.start()
    for p in pollers:
        p.join(15)
    codes = [p.exitcode for p in pollers]
    if codes != [0, 0]:
        print("pollers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
