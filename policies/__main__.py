"""The pack's entry point: `pulumi preview --policy-pack policies` runs this file.

Serving the pack starts the analyzer's gRPC server and blocks, so this is all it does; the
policies live in residency_pack/, which tests import. ``serve`` is ``PolicyPack`` answered by
a servicer that reads each request once for all the policies (residency_pack/servicer.py).
"""

from residency_pack import PACK_ENFORCEMENT, PACK_NAME, PackState, all_policies
from residency_pack.region import capture_stack_config
from residency_pack.servicer import serve

capture_stack_config()

# One PackState for the policies and the warm-up that loads settings before the first resource.
serve(
    name=PACK_NAME,
    policies=all_policies(state := PackState()),
    enforcement_level=PACK_ENFORCEMENT,
    warm_up=state.warm_up,
)
