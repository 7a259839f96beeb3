"""Fork support on, with a polling engine that fork support cannot use (GF302)."""
import os

os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "1"
os.environ["GRPC_POLL_STRATEGY"] = "none"

import grpc  # noqa: E402

print(grpc.__version__)
