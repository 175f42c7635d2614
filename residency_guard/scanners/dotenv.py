"""``.env`` files: the variables a workload starts with."""

from __future__ import annotations

import dataclasses
import shlex
import stat
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
# The dotenv sink's second line. Its file is a key store by design (mode 0600, rewritten by
# `pulumi up`): the key in it is not a plaintext leak unless others can read the file.
GENERATED_MARKER = "# Written by residency-guard"


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


def is_private_sink_file(path: Path, text: str) -> bool:
    """A file the dotenv sink wrote that only its owner can read."""
    if GENERATED_MARKER not in text[:4096]:
        return False
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    except OSError:
        return False


def scan_dotenv(path: Path, catalog: Catalog, repo: RepoConfig) -> StackScan:
    """Judge a dotenv file against the region it declares (if it holds OpenAI settings)."""
    file = str(path)
    text = read_text(path, MAX_DOTENV_BYTES)
    values, regions = parse_dotenv(text)
    if is_private_sink_file(path, text):
        values = [dataclasses.replace(v, secret=True) for v in values]
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
