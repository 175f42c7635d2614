"""Sinks: each delivers an OpenAIResidency's env to one target and stamps its residency labels.

One module per target; each imports its provider SDK (pulumi_kubernetes, pulumi_aws,
pulumi_azure_native, pulumi_gcp) inside the sink, so the others work without it. ``dotenv``
needs no SDK and no provider plugin: it is the embedded default.
"""
