"""Azure sink: one Key Vault secret per variable, tagged with the residency labels.

Key Vault secret names allow letters, digits and ``-`` only, so ``OPENAI_BASE_URL`` is stored
as ``<prefix>OPENAI-BASE-URL``; Azure tag names refuse ``/``, so ``residency-guard/region`` is
tagged ``residency-guard_region``. The vault must exist (its own location is the team's
choice). Needs ``pulumi_azure_native`` (the ``sinks`` extra) and, at ``up``, the azure-native
provider plugin and credentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.openai_residency import OpenAIResidency
from components.sinks._labels import stamp

TYPE = "residency-guard:sinks:AzureKeyVaultSecrets"


def secret_name(prefix: str, variable: str) -> str:
    """``OPENAI_BASE_URL`` -> ``<prefix>OPENAI-BASE-URL`` (Key Vault: ``^[0-9a-zA-Z-]+$``)."""
    return f"{prefix}{variable.replace('_', '-')}"


@dataclass
class AzureKeyVaultSinkArgs:
    residency: OpenAIResidency
    resource_group_name: pulumi.Input[str]
    vault_name: pulumi.Input[str]
    prefix: str = ""  # e.g. "prod-eu-" when several stacks share a vault
    tags: dict[str, str] | None = None  # the team's own tags; residency labels win


class AzureKeyVaultSink(pulumi.ComponentResource):
    """Delivers an OpenAIResidency's env as Azure Key Vault secrets, one per variable."""

    secret_names: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: AzureKeyVaultSinkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        import pulumi_azure_native as azure

        tags = stamp("azure", args.residency, args.tags)
        names = []
        for variable in args.residency.resolved.env_names:
            secret = azure.keyvault.Secret(
                f"{name}-{variable.lower().replace('_', '-')}",
                resource_group_name=args.resource_group_name,
                vault_name=args.vault_name,
                secret_name=secret_name(args.prefix, variable),
                properties=azure.keyvault.SecretPropertiesArgs(
                    value=args.residency.env_var(variable),
                ),
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            names.append(secret.name)
        self.secret_names = pulumi.Output.all(*names).apply(list)
        self.register_outputs({"secret_names": self.secret_names})
