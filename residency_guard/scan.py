"""One scan of many paths: discovery, the catalog and repo config, each file judged."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from residency_guard.catalog import load_catalog
from residency_guard.catalog.model import Catalog
from residency_guard.errors import InputError, ResidencyGuardError
from residency_guard.evaluate import unique
from residency_guard.facets import FacetGate
from residency_guard.findings import Finding
from residency_guard.pipeline import StackScan, evaluate_document
from residency_guard.repoconfig import RepoConfig, find_repo_config, load_repo_config
from residency_guard.scanners.discover import RepoConfigs, Target, discover
from residency_guard.sources.files import SourceCache
from residency_guard.sources.registry import SOURCES
from residency_guard.suppressions import SuppressionAudit, suppress_scans
from residency_guard.workers import map_in_order


@dataclass
class ScanRun:
    """What a scan found, file by file, and which inputs it could not use."""

    catalog: Catalog
    repo: RepoConfig
    scans: list[StackScan] = field(default_factory=list)
    errors: list[ResidencyGuardError] = field(default_factory=list)
    suppressions: SuppressionAudit = field(default_factory=SuppressionAudit)
    other_repos: list[RepoConfig] = field(default_factory=list)  # configs of the other files

    @property
    def findings(self) -> list[Finding]:
        run_level = self.suppressions.findings  # RG016 about residency-guard.yaml itself
        return unique([*(f for scan in self.scans for f in scan.findings), *run_level])

    @property
    def files(self) -> list[str]:
        return [scan.file for scan in self.scans]

    @property
    def fail_on(self) -> str:
        """The strictest ``fail-on`` of the repo configs that judged this run's files."""
        levels = ("note", "warning", "error")
        return min((r.fail_on for r in (self.repo, *self.other_repos)), key=levels.index)

    def joined(self, other: ScanRun) -> ScanRun:
        """This run and the files another repo config judged (the first run's settings head
        the report)."""
        audit, more = self.suppressions, other.suppressions
        merged = SuppressionAudit(
            today=audit.today or more.today,
            entries=audit.entries + more.entries,
            applied=audit.applied + more.applied,
            expired=audit.expired + more.expired,
            findings=audit.findings + more.findings,
        )
        return ScanRun(
            self.catalog, self.repo, [*self.scans, *other.scans], [*self.errors, *other.errors],
            merged, [*self.other_repos, other.repo, *other.other_repos],
        )  # fmt: skip


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
    """One file judged: its kind's source reads it into a document, the pipeline judges it."""
    source = SOURCES.get(target.kind)
    if source is None:
        raise InputError(f"unknown kind of file '{target.kind}'", file=str(target.path))
    # Only the values that may have a facet: the rules read no other, nor does the report.
    files = sources if sources is not None else SourceCache()
    document = source(target, FacetGate(catalog), repo, files)
    return evaluate_document(document, catalog, repo)


def scan_paths(
    paths: Sequence[Path], *, config: Path | None = None, catalogs: Sequence[Path] = (),
    today: datetime.date | None = None, region: str | None = None, jobs: int = 1,
    keep_values: bool = True,
) -> ScanRun:  # fmt: skip
    """Scan every path; a file that cannot be read is an error, and the rest still completes.

    Each file is judged with its own nearest ``residency-guard.yaml`` (its folder, then parents
    up to the repository root) unless ``config`` names one for all: ``check a b`` and
    ``check b a`` agree. Suppressions are judged on ``today``; callers pass it (None: the
    caller's clock, read once). ``region`` holds every file named in ``paths`` that is no
    stack, project, preview or state file to that region (``check --region``). ``jobs``
    processes judge the files of a large run (``residency_guard.workers``); the result is the
    same for any number. ``keep_values=False`` leaves each scan's values out (the report
    reads them, ``check`` does not: a worker need not send them back).
    """
    day = today or datetime.date.today()
    sources = SourceCache()  # each file read once per run: discovery, sources, suppressions
    targets, errors = discover(list(paths), RepoConfigs(config), region, sources)
    groups = _by_repo_config(targets, paths, config)
    run: ScanRun | None = None
    for config_path, group in groups.items():
        try:
            repo = load_repo_config(config_path)
            catalog = load_catalog([*repo.catalog_files, *catalogs])
        except ResidencyGuardError as error:
            if run is None and len(groups) == 1:
                raise  # one config for the whole run: its error is the run's, as before
            errors.append(error)
            continue
        part = ScanRun(catalog, repo)
        judge = functools.partial(
            _judged, catalog=catalog, repo=repo, sources=sources, keep_values=keep_values
        )
        for outcome, read in map_in_order(judge, group, jobs):
            if isinstance(outcome, ResidencyGuardError):
                part.errors.append(outcome)
            else:
                part.scans.append(outcome)
            sources.adopt(read)  # what a worker read: its suppressions are read from it
        part.suppressions = suppress_scans(part.scans, repo, day, read=sources.text)
        run = part if run is None else run.joined(part)
    if run is None:  # every config was unreadable: defaults, so that the errors are reported
        run = ScanRun(load_catalog(list(catalogs)), RepoConfig())
    run.errors[:0] = errors
    return run


def _by_repo_config(
    targets: Sequence[Target], paths: Sequence[Path], config: Path | None
) -> dict[Path | None, list[Target]]:
    """Targets grouped by the repo config that judges them, in the order first met."""
    if config is not None:
        return {config: list(targets)}
    nearest: dict[Path, Path | None] = {}  # by folder: a project's stacks share one
    groups: dict[Path | None, list[Target]] = {}
    for target in targets:
        folder = target.path.parent
        if folder not in nearest:
            nearest[folder] = _as_given(find_repo_config(target.path))
        groups.setdefault(nearest[folder], []).append(target)
    if not groups:  # nothing to scan: the first path's settings, for the report's header
        groups[find_repo_config(paths[0] if paths else Path("."))] = []
    return groups


def _as_given(path: Path | None) -> Path | None:
    """A config found in a parent, named from the working folder as the user would name it."""
    if path is None or not path.is_absolute():
        return path
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _judged(
    target: Target, *, catalog: Catalog, repo: RepoConfig, sources: SourceCache,
    keep_values: bool,
) -> tuple[StackScan | ResidencyGuardError, dict[str, tuple[str, int]]]:  # fmt: skip
    """One target's scan, or the error that stopped it; and the target's file as read."""
    outcome: StackScan | ResidencyGuardError
    try:
        outcome = scan_target(target, catalog, repo, sources)
        if not keep_values:
            outcome.values = []
    except ResidencyGuardError as error:
        outcome = error
    except RecursionError:
        outcome = InputError("nested too deeply to scan safely", file=str(target.path))
    except MemoryError:
        outcome = InputError("too large to scan in memory", file=str(target.path))
    return outcome, sources.read_of(str(target.path))
