# hazard: GF101 GF102
# fix: Create the channel in the child
# fix: Close the parent's channel before the fork
"""Starts one worker process per shard; each worker sends its shard's
records to the echo service through the stub the parent hands it.
"""
import os
import sys
from multiprocessing import Process

import grpc

TARGET = os.environ["GF_TARGET"]


class EchoStub:
    def __init__(self, channel):
        self.Echo = channel.unary_unary("/gf.Echo/Echo")


def upload_shard(shard):
    stub = EchoStub(grpc.insecure_channel(TARGET))
    for n in range(3):
        record = ("shard-%d-record-%d" % (shard, n)).encode()
        if stub.Echo(record, timeout=3) != record:
            sys.exit(2)


def main():
    channel = grpc.insecure_channel(TARGET)
    stub = EchoStub(channel)
    stub.Echo(b"ping", timeout=3)
    channel.close()

    workers = [Process(target=upload_shard, args=(shard,)) for shard in range(2)]
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
