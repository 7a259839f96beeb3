"""Server options passed to add_insecure_port: a TypeError when the server starts (GF203)."""
from concurrent import futures

import grpc


def serve():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_insecure_port("[::]:50051", options=[("grpc.so_reuseport", 1)])
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    serve()
