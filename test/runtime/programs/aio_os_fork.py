# hazard: GF103
# fix: Create the channel in the child
"""Async client that opens its channel, then forks a helper process with
os.fork(); the helper runs its own event loop and channel, the parent goes on
with the channel it opened.
"""
import asyncio
import os

import grpc

TARGET = os.environ["GF_TARGET"]


async def echo_all(channel, who):
    echo = channel.unary_unary("/gf.Echo/Echo")
    for n in range(3):
        reply = await echo(("%s %d" % (who, n)).encode(), timeout=3)
        assert reply == ("%s %d" % (who, n)).encode()


async def helper():
    async with grpc.aio.insecure_channel(TARGET) as channel:
        await echo_all(channel, "helper")


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    channel = grpc.aio.insecure_channel(TARGET)
    pid = os.fork()
    if pid == 0:
        try:
            asyncio.run(helper())
        except BaseException as error:
            print("helper failed:", repr(error))
            os._exit(1)
        os._exit(0)
    loop.run_until_complete(echo_all(channel, "parent"))
    loop.run_until_complete(channel.close())
    _, status = os.waitpid(pid, 0)
    if status != 0:
        print("helper exit status", status)
        raise SystemExit(1)
    print("OK")


if __name__ == "__main__":
    main()
