"""Batch job: a channel made at import time is inherited by every Pool worker (GF101, GF102)."""
import multiprocessing as mp

import grpc

TARGET = "localhost:50051"

channel = grpc.insecure_channel(TARGET)
ping = channel.unary_unary("/echo.Echo/Ping")


def handle(item: bytes) -> bytes:
    # Runs in a forked worker, through the parent's channel.
    return ping(item, timeout=5)


def main() -> None:
    ping(b"warm-up", timeout=5)
    with mp.Pool(processes=4) as pool:
        print(pool.map(handle, [b"a", b"b", b"c"]))


if __name__ == "__main__":
    main()
