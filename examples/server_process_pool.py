"""A process pool given to grpc.server as its thread pool: RPCs never complete (GF204)."""
from concurrent import futures

import grpc


def serve():
    server = grpc.server(futures.ProcessPoolExecutor(max_workers=4))
    server.add_insecure_port("127.0.0.1:50063")
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    serve()
