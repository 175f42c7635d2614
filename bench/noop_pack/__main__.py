"""The engine bench's baseline pack: one resource policy and one stack policy that do nothing.

What any Python policy pack costs under the engine (the analyzer process, gRPC, pulumi-policy's
servicer converting each resource's properties), with no policy work of its own.
"""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)


def nothing(args: ResourceValidationArgs | StackValidationArgs, report: ReportViolation) -> None:
    return None


PolicyPack(
    name="do-nothing",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(name="nothing", description="Does nothing.", validate=nothing),
        StackValidationPolicy(name="nothing-stack", description="Does nothing.", validate=nothing),
    ],
)
