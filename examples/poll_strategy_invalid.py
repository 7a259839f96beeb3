"""A poll strategy gRPC does not know: the interpreter aborts at the first channel (GF303)."""
import os

os.environ.setdefault("GRPC_POLL_STRATEGY", "epoll")

import grpc  # noqa: E402

channel = grpc.insecure_channel("localhost:50051")
