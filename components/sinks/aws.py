"""AWS sinks: one SSM SecureString parameter per variable, or one Secrets Manager secret (JSON).

Both carry the residency labels as tags (AWS tag keys accept ``/``). ``aws_region`` places the
parameters or the secret in an AWS region of your choice (pulumi-aws 7 takes a region per
resource); unset, the provider's region applies. Needs ``pulumi_aws`` (the ``sinks`` extra) and,
at ``up``, the aws provider plugin and credentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.openai_residency import OpenAIResidency
from components.sinks._labels import stamp

SSM_TYPE = "residency-guard:sinks:AwsSsmParameters"
SECRETS_MANAGER_TYPE = "residency-guard:sinks:AwsSecretsManagerSecret"


@dataclass
class AwsSsmSinkArgs:
    residency: OpenAIResidency
    prefix: str = "/residency-guard"  # parameter names are <prefix>/<VARIABLE>
    kms_key_id: pulumi.Input[str] | None = None  # None: the account's aws/ssm key
    aws_region: str | None = None
    tags: dict[str, str] | None = None  # the team's own tags; residency labels win


class AwsSsmSink(pulumi.ComponentResource):
    """Delivers an OpenAIResidency's env as SSM SecureString parameters, one per variable."""

    parameter_names: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: AwsSsmSinkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(SSM_TYPE, name, None, opts)
        import pulumi_aws as aws

        tags = stamp("aws", args.residency, args.tags)
        prefix = args.prefix.rstrip("/")
        names = []
        for variable in args.residency.resolved.env_names:
            parameter = aws.ssm.Parameter(
                f"{name}-{variable.lower().replace('_', '-')}",
                name=f"{prefix}/{variable}",
                # SecureString for every variable: one kind of parameter, one IAM policy to read.
                type="SecureString",
                value=args.residency.env_var(variable),
                key_id=args.kms_key_id,
                region=args.aws_region,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            names.append(parameter.name)
        self.parameter_names = pulumi.Output.all(*names).apply(list)
        self.register_outputs({"parameter_names": self.parameter_names})


@dataclass
class AwsSecretsManagerSinkArgs:
    residency: OpenAIResidency
    secret_name: str | None = None  # None: the sink's name
    kms_key_id: pulumi.Input[str] | None = None
    aws_region: str | None = None
    tags: dict[str, str] | None = None


class AwsSecretsManagerSink(pulumi.ComponentResource):
    """Delivers an OpenAIResidency's env as one Secrets Manager secret holding a JSON object."""

    secret_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: AwsSecretsManagerSinkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(SECRETS_MANAGER_TYPE, name, None, opts)
        import pulumi_aws as aws

        secret = aws.secretsmanager.Secret(
            name,
            name=args.secret_name or name,
            kms_key_id=args.kms_key_id,
            region=args.aws_region,
            tags=stamp("aws", args.residency, args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-value",
            secret_id=secret.id,
            secret_string=args.residency.env_json(),
            region=args.aws_region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.secret_arn = secret.arn
        self.register_outputs({"secret_arn": self.secret_arn})
