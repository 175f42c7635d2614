"""The pack's entry point: `pulumi preview --policy-pack policies` runs this file.

Serving the pack starts the analyzer's gRPC server and blocks, so this is all it does; the
policies live in residency_pack/, which tests import. ``serve`` is ``PolicyPack`` answered by
a servicer that reads each request once for all the policies (residency_pack/servicer.py);
it refuses to start, in one line, on a pulumi-policy it was not written for
(residency_pack/servicer_contract.py).
"""

import sys

from residency_pack import PACK_ENFORCEMENT, PACK_NAME, PackState, all_policies
from residency_pack.servicer import serve
from residency_pack.servicer_contract import ServicerContractError

try:
    # One PackState for the policies and the warm-up that loads settings before the first resource.
    serve(
        name=PACK_NAME,
        policies=all_policies(state := PackState()),
        enforcement_level=PACK_ENFORCEMENT,
        warm_up=state.warm_up,
    )
except ServicerContractError as error:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(2)
