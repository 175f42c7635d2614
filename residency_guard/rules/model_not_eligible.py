from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.modelcheck import Eligibility, eligible_examples, named_model_verdict
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class ModelNotEligible(Rule):
    """
    ## What it does
    Finds a model that the stack's region does not offer for the surface it is used on
    (chat, responses, embeddings, batches, fine-tuning, audio, images, moderations), and any
    model the catalog does not know at all: an unknown model is denied, never allowed
    silently.

    Models of other providers are not OpenAI's to judge: a model under an `OLLAMA_*` (or
    other provider's) name, an Ollama tag (`llama3.1:8b`), a local model file (`*.gguf`), a
    family no OpenAI endpoint serves (`llama*`, `mistral*`, `nomic-embed-text`...). A model
    under an Azure deployment setting (`AZURE_OPENAI_CHATGPT_MODEL`, a `deployments` list) is
    judged by the Azure rules (RG012, RG013) from the account and the deployment's SKU.

    ## Why is this bad?
    Residency projects serve a fixed list of models per endpoint. A model outside the list is
    refused by the regional host or, through a global key, processed outside the region.

    ## Example
    ```yaml
    config:
      residency-guard:region: gb
      app:realtimeModel: gpt-realtime
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      app:realtimeModel: gpt-realtime
    ```

    ## References
    - [OpenAI: your data, region tables](https://developers.openai.com/api/docs/guides/your-data)
    """

    id = "RG003"
    name = "model-not-eligible"
    title = "Model not eligible in the stack's region"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/your-data"
    tags = ("model",)
    reads = Facet.MODEL
    pack_policies = ("openai-model-eligibility", "openai-deployed-outputs")
    checkov_name = "Ensure models are eligible in the stack's region"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        verdict = named_model_verdict(value, ctx.catalog, region)
        if region is None or verdict is None or verdict.eligibility not in (
            Eligibility.NOT_ELIGIBLE, Eligibility.UNKNOWN
        ):  # fmt: skip
            return
        model = verdict.model
        examples = eligible_examples(region, verdict.surface)
        instead = f"use one of: {', '.join(examples)}" if examples else (
            f"the {region.id} region offers no model for {verdict.surface}"
        )  # fmt: skip
        if verdict.eligibility is Eligibility.UNKNOWN:
            message = (
                f"{stack_label(ctx)} uses model '{quote(model)}', which the catalog does not "
                f"know; unknown models are denied"
            )
            instead += " (or update the catalog if OpenAI lists it for the region)"
        else:
            message = (
                f"{stack_label(ctx)} uses model '{model}', not eligible for "
                f"{verdict.surface} in {region.title}"
            )
        yield self.finding(ctx, message, instead, value=value)
