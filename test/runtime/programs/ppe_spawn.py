# hazard: GF101 GF102
# fix: Use the 'spawn' start method
"""Scores documents in a ProcessPoolExecutor; the scoring service's stub is
a module-level global that the parent also uses for a health check.
"""
import os
from concurrent.futures import ProcessPoolExecutor

import grpc

TARGET = os.environ["GF_TARGET"]


class EchoStub:
    def __init__(self, channel):
        self.Echo = channel.unary_unary("/gf.Echo/Echo")


stub = EchoStub(grpc.insecure_channel(TARGET))


def score(doc_id):
    reply = stub.Echo(("doc-%d" % doc_id).encode(), timeout=3)
    return len(reply)


def main():
    stub.Echo(b"health", timeout=3)
    with ProcessPoolExecutor(max_workers=2) as pool:
        scores = list(pool.map(score, range(6)))
    assert scores == [len("doc-%d" % i) for i in range(6)], scores
    print("OK")


if __name__ == "__main__":
    main()
