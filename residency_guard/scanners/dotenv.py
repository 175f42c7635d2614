"""``.env`` files: the variables a workload starts with."""

from __future__ import annotations

import shlex
from pathlib import Path

from residency_guard.catalog.model import Catalog
from residency_guard.context import StackContext
from residency_guard.evaluate import evaluate_stack, evaluate_values, unique
from residency_guard.hosts import mentions_openai
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.files import MAX_DOTENV_BYTES, read_text
from residency_guard.scanners.stackfile import StackScan
from residency_guard.stackregion import Declaration, RegionSource, resolve_region
from residency_guard.values import Value

# The dotenv sink writes the region it was built for; a hand-written file may say it too.
REGION_VARIABLE = "RESIDENCY_GUARD_REGION"
REGION_COMMENT = "# residency-guard:region:"


def parse_dotenv(text: str) -> tuple[list[Value], list[tuple[str, int]]]:
    """``KEY=value`` lines as values (``export`` and quotes as shells read them), and regions."""
    values: list[Value] = []
    regions: list[tuple[str, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.lower().startswith(REGION_COMMENT):
            regions.append((line[len(REGION_COMMENT) :].strip(), number))
            continue
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, rest = line.removeprefix("export ").partition("=")
        key = key.strip()
        try:
            parts = shlex.split(rest, comments=True)
            value = " ".join(parts)
        except ValueError:  # an unbalanced quote: keep the raw text, the rules still read it
            value = rest.strip()
        column = raw.find("=") + 2
        values.append(Value((key,), value, key, number, column))
        if key == REGION_VARIABLE:
            regions.append((value, number))
    return values, regions


def scan_dotenv(path: Path, catalog: Catalog, repo: RepoConfig) -> StackScan:
    """Judge a dotenv file against the region it declares (if it holds OpenAI settings)."""
    file = str(path)
    values, regions = parse_dotenv(read_text(path, MAX_DOTENV_BYTES))
    declarations = [
        Declaration(region, RegionSource.STACK_CONFIG, f"{file}:{line}", line, file)
        for region, line in regions
    ]
    resolution = resolve_region(declarations)
    ctx = StackContext(catalog, path.name, file, resolution, repo)
    openai_related = any(
        mentions_openai(v.text) or v.name.upper().startswith("OPENAI") for v in values
    )
    findings = evaluate_values(values, ctx)
    if openai_related:
        findings += evaluate_stack(ctx)
    return StackScan(path.name, file, "dotenv", resolution, unique(findings), values)
