# hazard: GF103
# fix: Use the 'spawn' start method
"""Async front end that asks the service for the job list, then starts
worker processes that each run their own asyncio loop and client.
"""
import asyncio
import multiprocessing
import os
import sys

import grpc

TARGET = os.environ["GF_TARGET"]


async def run_jobs(worker_id):
    async with grpc.aio.insecure_channel(TARGET) as channel:
        echo = channel.unary_unary("/gf.Echo/Echo")
        for job in range(3):
            await echo(("worker %d job %d" % (worker_id, job)).encode(), timeout=3)


def worker(worker_id):
    asyncio.run(run_jobs(worker_id))


async def main():
    channel = grpc.aio.insecure_channel(TARGET)
    echo = channel.unary_unary("/gf.Echo/Echo")
    await echo(b"list jobs", timeout=3)

    procs = [multiprocessing.Process(target=worker, args=(n,)) for n in range(2)]
    for p in procs:
        p.start()
    loop = asyncio.get_running_loop()
    for p in procs:
        await loop.run_in_executor(None, p.join, 15)
    codes = [p.exitcode for p in procs]
    await echo(("jobs done %s" % codes).encode(), timeout=3)
    await channel.close()
    if codes != [0, 0]:
        print("workers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    asyncio.run(main())
