"""GCP sink: one Secret Manager secret whose version holds the env as a JSON object.

GCP label keys and values allow lowercase letters, digits, ``_`` and ``-`` only:
``residency-guard/host: eu.api.openai.com`` is labelled
``residency-guard_host: eu-api-openai-com`` (see ``_labels``). ``replica_locations`` pins the
secret's replicas (user-managed replication, e.g. ``["europe-west1"]``); unset, Google picks
them (automatic replication). Needs ``pulumi_gcp`` (the ``sinks`` extra) and, at ``up``, the
gcp provider plugin and credentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.openai_residency import OpenAIResidency
from components.sinks._labels import stamp

TYPE = "residency-guard:sinks:GcpSecretManagerSecret"


@dataclass
class GcpSecretManagerSinkArgs:
    residency: OpenAIResidency
    secret_id: str | None = None  # None: the sink's name
    project: pulumi.Input[str] | None = None  # None: the provider's project
    replica_locations: list[str] | None = None
    labels: dict[str, str] | None = None  # the team's own labels; residency labels win


class GcpSecretManagerSink(pulumi.ComponentResource):
    """Delivers an OpenAIResidency's env as a GCP Secret Manager secret and version."""

    secret_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: GcpSecretManagerSinkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        import pulumi_gcp as gcp

        sm = gcp.secretmanager
        if args.replica_locations:
            replicas = [
                sm.SecretReplicationUserManagedReplicaArgs(location=location)
                for location in args.replica_locations
            ]
            replication = sm.SecretReplicationArgs(
                user_managed=sm.SecretReplicationUserManagedArgs(replicas=replicas)
            )
        else:
            replication = sm.SecretReplicationArgs(auto=sm.SecretReplicationAutoArgs())
        secret = sm.Secret(
            name,
            secret_id=args.secret_id or name,
            project=args.project,
            replication=replication,
            labels=stamp("gcp", args.residency, args.labels),
            opts=pulumi.ResourceOptions(parent=self),
        )
        sm.SecretVersion(
            f"{name}-value",
            secret=secret.id,
            secret_data=args.residency.env_json(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.secret_id = secret.secret_id
        self.register_outputs({"secret_id": self.secret_id})
