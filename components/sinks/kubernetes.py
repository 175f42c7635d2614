"""Kubernetes sink: the env as an Opaque Secret, labelled with the residency labels.

Workloads read it with ``envFrom: [{secretRef: {name: ...}}]``. Needs ``pulumi_kubernetes``
(the ``sinks`` extra) and, at ``up``, the kubernetes provider plugin and a cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.openai_residency import OpenAIResidency
from components.sinks._labels import stamp

TYPE = "residency-guard:sinks:KubernetesSecret"


@dataclass
class KubernetesSecretSinkArgs:
    residency: OpenAIResidency
    namespace: pulumi.Input[str] | None = None  # None: the provider's default namespace
    secret_name: pulumi.Input[str] | None = None  # None: the sink's name
    labels: dict[str, str] | None = None  # the team's own labels; residency labels win


class KubernetesSecretSink(pulumi.ComponentResource):
    """Delivers an OpenAIResidency's env as a Kubernetes Secret (type Opaque, string_data)."""

    secret_name: pulumi.Output[str]
    namespace: pulumi.Output[str]

    def __init__(
        self, name: str, args: KubernetesSecretSinkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        # Imported here so that the other sinks work without the kubernetes SDK installed.
        import pulumi_kubernetes as k8s

        labels = stamp("kubernetes", args.residency, args.labels)
        secret = k8s.core.v1.Secret(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.secret_name or name,
                namespace=args.namespace,
                labels=labels,
            ),
            type="Opaque",
            # string_data, not data: the provider base64-encodes it, and keeps it secret.
            string_data=args.residency.env,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.secret_name = secret.metadata.apply(lambda m: m.name or "")
        self.namespace = secret.metadata.apply(lambda m: m.namespace or "")
        self.register_outputs({"secret_name": self.secret_name, "namespace": self.namespace})
