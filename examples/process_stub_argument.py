"""A stub handed to a Process as an argument: the child uses the parent's channel (GF102)."""
from multiprocessing import Process

import grpc


def worker(call, payload):
    print(call(payload, timeout=5))


def main():
    channel = grpc.insecure_channel("localhost:50051")
    call = channel.unary_unary("/echo.Echo/Ping")
    workers = [Process(target=worker, args=(call, b"job-%d" % i)) for i in range(2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()


if __name__ == "__main__":
    main()
