"""Where the gates may differ on the same input, by design: one table, read by the parity
matrix test (tests/checkov/test_parity_matrix.py) and rendered into docs/rules.md.

Every other difference between the CLI, the policy pack and checkov on the same input is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    """One by-design difference: which gate, on what input, and why."""

    name: str  # stable: the parity test refers to it
    gate: str  # the gate that differs from the CLI
    what: str
    why: str


DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "stack-file-values",
        "pack",
        "Values in stack files (`Pulumi.<stack>.yaml`) and `Pulumi.yaml` config defaults.",
        "The engine gives a policy pack the stack's config only as settings (the pack reads the "
        "region there); the pack judges a value where the program puts it, in a resource's "
        "inputs. The CLI and checkov judge the files.",
    ),
    Difference(
        "warnings-in-summary",
        "pack",
        "Findings of severity warning or note (`unresolved: warn`, RG006 without a region).",
        "A policy violation has no warning level: the pack lists them in the advisory "
        "`openai-configuration-summary` instead of failing a policy. checkov fails its check "
        "with severity MEDIUM or LOW.",
    ),
    Difference(
        "unknown-at-preview",
        "pack",
        "A value computed from other resources, unknown at `pulumi preview`.",
        "The pack says it is pending and judges it at `pulumi up`, when it is known; a preview "
        "file read by the CLI or checkov says only that it is unknown (RG011 under an endpoint "
        "name).",
    ),
    Difference(
        "file-suppressions",
        "pack",
        "Inline `# residency-guard: ignore` comments, and repo-level suppressions with a `file:` "
        "glob other than `*`.",
        "They name files; the pack's findings are about resources and lie in no file. "
        "Repo-level suppressions by rule and stack apply in every gate.",
    ),
    Difference(
        "remote-component-inputs",
        "pack",
        "Inputs a program in another language gives the component provider's `OpenAIResidency`.",
        "The engine hands a remote component's inputs to the provider's Construct, not to the "
        "analyzers. The component refuses what the rules refuse; the pack sees the component "
        "as the provider registers it and every resource the provider creates.",
    ),
    Difference(
        "checkov-unparsable",
        "checkov",
        "A file checkov's own YAML or JSON reader cannot parse.",
        "checkov skips the file, runs no check and exits 0 (its issues 35, 3065, 5248); the "
        "CLI refuses the file (exit 2) and is the fail-closed gate.",
    ),
    Difference(
        "checkov-skip-comments",
        "checkov",
        "`# checkov:skip=CKV_RG_n` comments.",
        "checkov's own suppression syntax: checkov reports SKIPPED; the CLI and the pack read "
        "`# residency-guard: ignore` and residency-guard.yaml only.",
    ),
    Difference(
        "checkov-no-rg016",
        "checkov",
        "RG016 (an invalid suppression).",
        "It judges residency-guard's suppression syntax, not the stack; an invalid suppression "
        "suppresses nothing, so the finding it meant to accept still fails its own check.",
    ),
)

# The input kinds of issue 16 (README: "What `check` reads").
DIFFERENCES += (
    Difference(
        "esc-definition-values",
        "checkov",
        "Values in an ESC environment definition (`esc/<proj>/<env>.yaml`) that a stack imports.",
        "A definition has no region of its own: the CLI judges it against each stack that "
        "imports it and reports the finding in the definition. checkov judges one file at a "
        "time and reads a definition for keys only (RG007); both report RG021 on the stack file.",
    ),
    Difference(
        "esc-merged-by-engine",
        "pack",
        "An ESC environment's values and region (`pulumiConfig`).",
        "The engine opens the environment and hands the pack the merged config (the stack "
        "file's own values win, so a region clash between the two is no RG009 there) and the "
        "resources that carry the values; an environment missing from the repository is the "
        "CLI's and checkov's RG021 (the engine itself fails to open one it cannot find).",
    ),
    Difference(
        "cli-only-inputs",
        "checkov",
        "Dotenv files, `--event-log` files, gzipped checkpoints (`.json.gz`), and files held to "
        "a region by `--region` rather than `paths:`.",
        "checkov has no dotenv framework, reads one JSON document per file and no gzip, and "
        "takes no region on its command line; `paths:` holds a file to a region in both.",
    ),
)

BY_NAME = {difference.name: difference for difference in DIFFERENCES}


def render() -> str:
    """The "Front-end parity" section of docs/rules.md."""
    rows = "".join(f"| `{d.name}` | {d.gate} | {d.what} | {d.why} |\n" for d in DIFFERENCES)
    return (
        "## Front-end parity\n\n"
        "The CLI (`residency-guard check`), the policy pack and checkov give the same rule IDs on "
        "the same resource or value (tests/checkov/test_parity_matrix.py runs every fixture of "
        "the suite that more than one gate reads through all of them). These differences are "
        "by design:\n\n"
        "| name | gate | input | why |\n|---|---|---|---|\n" + rows
    )
