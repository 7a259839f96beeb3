"""Fork support switched on after grpc was imported: gRPC already read the variable (GF301)."""
import os

import grpc

os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"
os.environ["GRPC_POLL_STRATEGY"] = "poll"


def main():
    channel = grpc.insecure_channel("localhost:50051")
    print(channel)


if __name__ == "__main__":
    main()
