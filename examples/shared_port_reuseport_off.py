"""Forked children each bind the same port with SO_REUSEPORT switched off (GF202)."""
import multiprocessing
from concurrent import futures

import grpc

ADDRESS = "127.0.0.1:50062"


def run_server():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=[("grpc.so_reuseport", 0)])
    server.add_insecure_port(ADDRESS)
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    workers = [multiprocessing.Process(target=run_server) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
