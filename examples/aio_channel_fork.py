"""An asyncio channel alive across os.fork(): fork support does not cover grpc.aio (GF103)."""
import os

from grpc import aio

channel = aio.insecure_channel("localhost:50051")

pid = os.fork()
if pid == 0:
    print("child", os.getpid())
    os._exit(0)
os.waitpid(pid, 0)
