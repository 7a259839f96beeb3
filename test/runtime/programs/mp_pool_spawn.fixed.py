# hazard: GF101 GF102
# fix: Use the 'spawn' start method
"""Resizes a batch of images (stand-in: echoes their names) with a process
pool; the thumbnail service client is made at import time.
"""
import multiprocessing as mp
import os

import grpc

TARGET = os.environ["GF_TARGET"]

channel = grpc.insecure_channel(TARGET)
thumbnail = channel.unary_unary("/gf.Echo/Echo")


def make_thumbnail(name):
    return thumbnail(name.encode(), timeout=3).decode()


def main():
    thumbnail(b"warm-up", timeout=3)
    names = ["img-%02d.png" % i for i in range(8)]
    with mp.get_context("spawn").Pool(2) as pool:
        done = pool.map(make_thumbnail, names)
    assert done == names, done
    print("OK")


if __name__ == "__main__":
    main()
