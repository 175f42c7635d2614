"""Small builders for core tests: a stack file's text in, findings out."""

from __future__ import annotations

import textwrap
from pathlib import Path

from residency_guard.catalog import shipped_catalog
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.stackfile import scan_stack_file

# Obviously fake, but shaped like a project key so the detector must see it.
FAKE_KEY = "sk-proj-" + "FAKEfake" * 5 + "WXYZ"


def scan_yaml(text: str, stack: str = "prod-eu", repo: RepoConfig | None = None) -> list[Finding]:
    path = Path(f"stacks/Pulumi.{stack}.yaml")
    scan = scan_stack_file(
        path, shipped_catalog(), repo or RepoConfig(), text=textwrap.dedent(text)
    )
    return scan.findings


def stack(region: str | None, **config: str) -> str:
    """A stack file's text with a region and ``key: value`` config lines."""
    lines = ["config:"]
    if region is not None:
        lines.append(f"  residency-guard:region: {region}")
    lines += [f"  {key.replace('__', ':')}: {value}" for key, value in config.items()]
    return "\n".join(lines) + "\n"


def rules_of(findings: list[Finding]) -> list[str]:
    return sorted({f.rule for f in findings})
