"""Echo server for the runtime-proof tier.

Serves one unary-unary method, /gf.Echo/Echo, that returns the request bytes
unchanged. It binds 127.0.0.1 on a free port, prints that port as the first
line of stdout and serves until it is killed.

No generated code: the handler is registered with a generic handler and uses
bytes in and out (no serializers).
"""
import signal
import sys
from concurrent import futures

import grpc


def echo(request, context):
    return request


def main():
    handler = grpc.method_handlers_generic_handler(
        "gf.Echo",
        {"Echo": grpc.unary_unary_rpc_method_handler(echo)},
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    if port == 0:
        print("failed to bind 127.0.0.1:0", file=sys.stderr)
        sys.exit(1)
    server.start()
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()

    def stop(signum, frame):
        server.stop(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
