"""The pattern gRPC recommends: each worker makes its own channel in the pool initializer. Clean."""
import multiprocessing

import grpc

_ping = None


def init_worker(target):
    global _ping
    _ping = grpc.insecure_channel(target).unary_unary("/echo.Echo/Ping")


def handle(item):
    return _ping(item, timeout=5)


if __name__ == "__main__":
    with multiprocessing.Pool(4, initializer=init_worker, initargs=("localhost:50051",)) as pool:
        print(pool.map(handle, [b"a", b"b"]))
