# hazard: GF101
# fix: Close the parent's channel before the fork
"""Looks up the shard map once, then lets a Pool process the shards; each
pool worker opens its own client in the initializer.
"""
import os
from multiprocessing import Pool

import grpc

TARGET = os.environ["GF_TARGET"]

_client = None


def _open_client():
    global _client
    _client = grpc.insecure_channel(TARGET).unary_unary("/gf.Echo/Echo")


def process_shard(shard):
    return _client(shard.encode(), timeout=3).decode()


def main():
    with grpc.insecure_channel(TARGET) as channel:
        shard_map = channel.unary_unary("/gf.Echo/Echo")(b"a,b,c,d", timeout=3)
    shards = shard_map.decode().split(",")

    with Pool(2, initializer=_open_client) as pool:
        done = pool.map(process_shard, shards)
    assert done == shards, done
    print("OK")


if __name__ == "__main__":
    main()
