"""The reference program: one OpenAIResidency per stack, delivered to the sinks the stack names.

Reads the ``residency-guard`` config namespace of ``stacks/Pulumi.<stack>.yaml`` (typed in
``Pulumi.yaml``). ``apiKey`` is required only when the stack delivers to a sink (every sink
ships ``OPENAI_API_KEY``); a stack with ``sinks: []`` only proves its declaration at preview
and exports the base URL. The repo's ``residency-guard.yaml`` (stack mapping, team catalogs)
applies to the component as it does to the CLI gate.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi

from components.openai_residency import OpenAIResidency, OpenAIResidencyArgs
from residency_guard.repoconfig import find_repo_config

NAMESPACE = "residency-guard"
Sink = Callable[[OpenAIResidency, pulumi.Config], None]


def dotenv_sink(residency: OpenAIResidency, config: pulumi.Config) -> None:
    from components.sinks.dotenv import DotenvSink, DotenvSinkArgs

    path = config.get("dotenvPath") or ".env.openai"
    sink = DotenvSink("openai-dotenv", DotenvSinkArgs(residency=residency, path=path))
    pulumi.export("dotenv_path", sink.path)


def kubernetes_sink(residency: OpenAIResidency, config: pulumi.Config) -> None:
    from components.sinks.kubernetes import KubernetesSecretSink, KubernetesSecretSinkArgs

    args = KubernetesSecretSinkArgs(
        residency=residency,
        namespace=config.get("kubernetesNamespace") or None,
        secret_name=config.get("kubernetesSecretName") or "openai",
    )
    sink = KubernetesSecretSink("openai-kubernetes", args)
    pulumi.export("kubernetes_secret", sink.secret_name)


def aws_ssm_sink(residency: OpenAIResidency, config: pulumi.Config) -> None:
    from components.sinks.aws import AwsSsmSink, AwsSsmSinkArgs

    args = AwsSsmSinkArgs(
        residency=residency,
        prefix=config.get("awsSsmPrefix") or f"/residency-guard/{pulumi.get_stack()}",
        aws_region=config.get("awsRegion") or None,
    )
    pulumi.export("aws_ssm_parameters", AwsSsmSink("openai-aws-ssm", args).parameter_names)


def aws_secrets_manager_sink(residency: OpenAIResidency, config: pulumi.Config) -> None:
    from components.sinks.aws import AwsSecretsManagerSink, AwsSecretsManagerSinkArgs

    args = AwsSecretsManagerSinkArgs(
        residency=residency,
        secret_name=config.get("awsSecretName") or f"residency-guard/{pulumi.get_stack()}",
        aws_region=config.get("awsRegion") or None,
    )
    sink = AwsSecretsManagerSink("openai-aws-secretsmanager", args)
    pulumi.export("aws_secret_arn", sink.secret_arn)


def azure_key_vault_sink(residency: OpenAIResidency, config: pulumi.Config) -> None:
    from components.sinks.azure import AzureKeyVaultSink, AzureKeyVaultSinkArgs

    args = AzureKeyVaultSinkArgs(
        residency=residency,
        resource_group_name=_required(config, "azureResourceGroup", "azure-keyvault"),
        vault_name=_required(config, "azureVaultName", "azure-keyvault"),
        prefix=config.get("azureSecretPrefix") or "",
    )
    pulumi.export("azure_secrets", AzureKeyVaultSink("openai-azure-keyvault", args).secret_names)


def gcp_secret_manager_sink(residency: OpenAIResidency, config: pulumi.Config) -> None:
    from components.sinks.gcp import GcpSecretManagerSink, GcpSecretManagerSinkArgs

    args = GcpSecretManagerSinkArgs(
        residency=residency,
        secret_id=config.get("gcpSecretId") or f"openai-{pulumi.get_stack()}",
        project=config.get("gcpProject") or None,
        replica_locations=config.get_object("gcpReplicaLocations") or None,
    )
    sink = GcpSecretManagerSink("openai-gcp-secretmanager", args)
    pulumi.export("gcp_secret_id", sink.secret_id)


SINKS: dict[str, Sink] = {
    "dotenv": dotenv_sink,
    "kubernetes": kubernetes_sink,
    "aws-ssm": aws_ssm_sink,
    "aws-secretsmanager": aws_secrets_manager_sink,
    "azure-keyvault": azure_key_vault_sink,
    "gcp-secretmanager": gcp_secret_manager_sink,
}


def _required(config: pulumi.Config, key: str, sink: str) -> str:
    value = config.get(key)
    if not value:
        raise pulumi.RunError(
            f"the {sink} sink needs {NAMESPACE}:{key}; "
            f"set it with `pulumi config set {NAMESPACE}:{key} <value>`"
        )
    return value


def _sinks(config: pulumi.Config) -> list[str]:
    names: Any = config.get_object("sinks")
    names = ["dotenv"] if names is None else names
    if not isinstance(names, list) or any(name not in SINKS for name in names):
        raise pulumi.RunError(
            f"Expected {NAMESPACE}:sinks to be a list of {', '.join(SINKS)}; got {names!r}"
        )
    return list(dict.fromkeys(names))


def main() -> None:
    config = pulumi.Config(NAMESPACE)
    sinks = _sinks(config)
    repo_config = find_repo_config(Path.cwd())
    residency = OpenAIResidency(
        "openai",
        OpenAIResidencyArgs(
            region=config.require("region"),
            # Every sink delivers OPENAI_API_KEY: without a sink the key is not needed.
            api_key=config.require_secret("apiKey") if sinks else config.get_secret("apiKey"),
            project_id=config.get("projectId") or None,
            org_id=config.get("orgId") or None,
            models=config.get_object("models"),
            surfaces=config.get_object("surfaces"),
            gateway_host=config.get("gatewayHost") or None,
            per_request_residency=config.get_bool("perRequestResidency") or False,
            repo_config=str(repo_config) if repo_config else None,
        ),
    )
    for name in sinks:
        SINKS[name](residency, config)
    pulumi.export("base_url", residency.base_url)
    pulumi.export("region", residency.region)
    pulumi.export("models", residency.models)
    pulumi.export("labels", residency.labels)
    pulumi.export("summary", residency.summary)
    pulumi.export("env_names", list(residency.resolved.env_names))


main()
