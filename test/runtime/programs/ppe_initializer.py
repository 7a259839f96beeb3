# hazard: GF101 GF102
# fix: Create the channel in the child
# fix: Close the parent's channel before the fork
"""Validates records in a ProcessPoolExecutor. The parent loads the
schema from the service first, then hands the records to the pool.
"""
import os
from concurrent.futures import ProcessPoolExecutor

import grpc

TARGET = os.environ["GF_TARGET"]

channel = grpc.insecure_channel(TARGET)
validate = channel.unary_unary("/gf.Echo/Echo")


def check(record):
    return validate(record.encode(), timeout=3) == record.encode()


def main():
    schema = validate(b"schema-v1", timeout=3)
    records = ["%s:record-%d" % (schema.decode(), i) for i in range(6)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(check, records))
    assert all(results), results
    print("OK")


if __name__ == "__main__":
    main()
