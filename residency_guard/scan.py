"""One scan of many paths: discovery, the catalog and repo config, each file judged."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from residency_guard.catalog import load_catalog
from residency_guard.catalog.model import Catalog
from residency_guard.errors import InputError, ResidencyGuardError
from residency_guard.evaluate import unique
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig, find_repo_config, load_repo_config
from residency_guard.scanners.discover import Target, discover
from residency_guard.scanners.dotenv import scan_dotenv
from residency_guard.scanners.files import SourceCache
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from residency_guard.scanners.stackfile import StackScan, scan_stack_file
from residency_guard.suppressions import SuppressionAudit, suppress_scans


@dataclass
class ScanRun:
    """What a scan found, file by file, and which inputs it could not use."""

    catalog: Catalog
    repo: RepoConfig
    scans: list[StackScan] = field(default_factory=list)
    errors: list[ResidencyGuardError] = field(default_factory=list)
    suppressions: SuppressionAudit = field(default_factory=SuppressionAudit)

    @property
    def findings(self) -> list[Finding]:
        run_level = self.suppressions.findings  # RG016 about residency-guard.yaml itself
        return unique([*(f for scan in self.scans for f in scan.findings), *run_level])

    @property
    def files(self) -> list[str]:
        return [scan.file for scan in self.scans]


def load_settings(
    paths: Sequence[Path], config: Path | None = None, catalogs: Sequence[Path] = ()
) -> tuple[RepoConfig, Catalog]:
    """The repo config (given, or found beside the first path) and the layered catalog."""
    config_path = (
        config if config is not None else find_repo_config(paths[0] if paths else Path("."))
    )
    repo = load_repo_config(config_path)
    catalog = load_catalog([*repo.catalog_files, *catalogs])
    return repo, catalog


def scan_target(
    target: Target, catalog: Catalog, repo: RepoConfig, sources: SourceCache | None = None
) -> StackScan:
    if target.kind == "stack-file":
        return scan_stack_file(
            target.path, catalog, repo, project_default_region=target.project_region,
            project_file=target.project_file, sources=sources,
        )  # fmt: skip
    if target.kind == "pulumi-json":
        return scan_pulumi_json(target.path, catalog, repo)
    if target.kind == "dotenv":
        return scan_dotenv(target.path, catalog, repo)
    raise InputError(f"unknown kind of file '{target.kind}'", file=str(target.path))


def scan_paths(
    paths: Sequence[Path], *, config: Path | None = None, catalogs: Sequence[Path] = (),
    today: datetime.date | None = None,
) -> ScanRun:  # fmt: skip
    """Scan every path; a file that cannot be read is an error, and the rest still completes.

    Suppressions are judged on ``today``; callers pass it (None: the caller's clock, read once).
    """
    repo, catalog = load_settings(paths, config, catalogs)
    run = ScanRun(catalog, repo)
    targets, errors = discover(list(paths))
    run.errors.extend(errors)
    sources = SourceCache()
    for target in targets:
        try:
            run.scans.append(scan_target(target, catalog, repo, sources))
        except ResidencyGuardError as error:
            run.errors.append(error)
        except RecursionError:
            run.errors.append(InputError("nested too deeply to scan safely", file=str(target.path)))
        except MemoryError:
            run.errors.append(InputError("too large to scan in memory", file=str(target.path)))
    run.suppressions = suppress_scans(
        run.scans, repo, today or datetime.date.today(), sources.texts
    )
    return run
