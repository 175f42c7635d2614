"""The pack's entry point: `pulumi preview --policy-pack policies` runs this file.

Building the PolicyPack starts the analyzer's gRPC server and blocks, so this is all it does;
the policies live in residency_pack/, which tests import.
"""

from pulumi_policy import PolicyPack
from residency_pack import PACK_ENFORCEMENT, PACK_NAME, all_policies
from residency_pack.region import capture_stack_config

capture_stack_config()

PolicyPack(
    name=PACK_NAME,
    enforcement_level=PACK_ENFORCEMENT,
    policies=all_policies(),
)
