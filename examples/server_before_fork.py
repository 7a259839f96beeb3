"""A server started in the parent, then workers forked: the parent can crash (GF201)."""
import multiprocessing
from concurrent import futures

import grpc


def serve_forever(n):
    print("worker", n)


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_insecure_port("127.0.0.1:50061")
    server.start()
    workers = [multiprocessing.Process(target=serve_forever, args=(i,)) for i in range(4)]
    for worker in workers:
        worker.start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
