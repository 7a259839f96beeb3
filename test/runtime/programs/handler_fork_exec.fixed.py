# hazard: GF201
# fix: Run the command with `subprocess.run`
"""A job server whose RPC handler runs a command with fork + exec while the
server serves. Fork support is on (as gRPC's fork_support.md asks of programs
that fork): the forked child then stalls in gRPC's fork handlers and the RPC
misses its deadline. The parent acts as a client.
"""
import os
import socket
import subprocess
import types
from concurrent import futures

if "GRPC_ENABLE_FORK_SUPPORT" not in os.environ:
    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"
if "GRPC_POLL_STRATEGY" not in os.environ:
    os.environ["GRPC_POLL_STRATEGY"] = "poll"

import grpc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ADDRESS = "127.0.0.1:%d" % free_port()


class Jobs:
    def Run(self, request, context):
        subprocess.run(["true"])
        return request


def _register(servicer, server):
    handler = grpc.unary_unary_rpc_method_handler(servicer.Run)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("gf.Jobs", {"Run": handler}),))


# Stands in for the generated jobs_pb2_grpc module (raw bytes, no protobuf).
jobs_pb2_grpc = types.ModuleType("jobs_pb2_grpc")
jobs_pb2_grpc.add_JobsServicer_to_server = _register


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    jobs_pb2_grpc.add_JobsServicer_to_server(Jobs(), server)
    server.add_insecure_port(ADDRESS)
    server.start()
    with grpc.insecure_channel(ADDRESS) as channel:
        call = channel.unary_unary("/gf.Jobs/Run")
        for n in range(20):
            assert call(b"job %d" % n, timeout=3) == b"job %d" % n
    server.stop(0)
    print("OK")


if __name__ == "__main__":
    main()
