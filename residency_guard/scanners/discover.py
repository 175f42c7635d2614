"""Which files a path stands for: a Pulumi project's stacks, a stack, a preview, a dotenv file."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from residency_guard.errors import InputError, ResidencyGuardError
from residency_guard.repoconfig import FILE_NAME, RepoConfig, find_repo_config, load_repo_config
from residency_guard.sources.engine_records import is_engine_record
from residency_guard.sources.files import SourceCache
from residency_guard.sources.stack_file import stack_name_of
from residency_guard.sources.target import Target as Target  # where callers import it from
from residency_guard.stackregion import (
    Declaration,
    RegionSource,
    held_declarations,
    project_declaration,
)
from residency_guard.yamlfile import YamlDocument, scalar_text

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
# Folders that never hold a stack of the user's and can be huge.
_SKIP_DIRS = frozenset(
    {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".hypothesis"}
)


# Settings files a workload reads, judged when a path holds them to a region.
CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


class RepoConfigs:
    """The repo config that judges each file: the one given for the run, else the file's
    nearest ``residency-guard.yaml`` (read once per folder and file). One that cannot be read
    gives none here: the scan reports its error when it judges the file."""

    def __init__(self, config: Path | None = None) -> None:
        self.config = config
        self._nearest: dict[Path, Path | None] = {}
        self._loaded: dict[Path | None, RepoConfig | None] = {}

    def for_file(self, path: Path) -> RepoConfig | None:
        config = self.config
        if config is None:
            folder = path.parent
            if folder not in self._nearest:
                self._nearest[folder] = find_repo_config(path)
            config = self._nearest[folder]
        if config not in self._loaded:
            try:
                self._loaded[config] = load_repo_config(config)
            except ResidencyGuardError:
                self._loaded[config] = None
        return self._loaded[config]


def held_regions(
    path: Path, repo: RepoConfig | None, region: str | None = None
) -> tuple[Declaration, ...]:
    """The regions a file is held to: ``--region`` for a file named on the command line, else
    the first ``paths:`` glob of residency-guard.yaml that matches it, else, for a dotenv
    file named for a stack (``.env.prod-eu``, ``prod-eu.env``), the ``stacks:`` claims."""
    named_stack = _dotenv_stack(path) if is_dotenv(path) else ""
    return held_declarations(path, repo, region=region, named_stack=named_stack)


def is_checkpoint(path: Path) -> bool:
    """``.pulumi/stacks/<project>/<stack>.json`` (or ``.json.gz``), or the older
    ``.pulumi/stacks/<stack>.json``: a stack's state as the file backend keeps it."""
    if not path.name.endswith((".json", ".json.gz")):
        return False
    parents = [p.name for p in path.parents][:3]
    return parents[:2] == ["stacks", ".pulumi"] or parents[1:3] == ["stacks", ".pulumi"]


def _dotenv_stack(path: Path) -> str:
    name = path.name
    if name.startswith(".env."):
        return name[len(".env.") :]
    return name[: -len(".env")] if name.endswith(".env") and name != ".env" else ""


def is_dotenv(path: Path) -> bool:
    return path.name == ".env" or path.name.startswith(".env.") or path.suffix == ".env"


def classify_file(path: Path) -> str | None:
    if stack_name_of(path) is not None:
        return "stack-file"
    if path.suffix.lower() == ".json" or is_engine_record(path):
        return "pulumi-json"
    if is_dotenv(path):
        return "dotenv"
    return None


def stack_config_dir(document: YamlDocument, project_file: Path) -> str:
    """The folder of a project's stack files, as the engine reads it: ``stackConfigDir``, or
    the legacy string form ``config: <dir>`` (the engine refuses both at once)."""
    modern = scalar_text(document.get("stackConfigDir"))
    node = document.get("config")
    legacy = scalar_text(node) if isinstance(node, yaml.ScalarNode) else None
    if legacy and modern:
        raise InputError(
            "Should not use both config and stackConfigDir to define the stack directory",
            file=str(project_file), line=node.start_mark.line + 1 if node else None,
            fix="use only stackConfigDir",
        )  # fmt: skip
    return modern or legacy or "."


def project_targets(
    project_file: Path, files: SourceCache | None = None, repos: RepoConfigs | None = None
) -> list[Target]:
    """The stack files of a Pulumi project, honouring ``stackConfigDir`` (or ``config: <dir>``),
    and the dotenv files beside the project file, held to a region as anywhere else
    (``paths:``, the ``stacks:`` glob of the stack a name like ``.env.prod-eu`` names) by
    their residency-guard.yaml (``repos``).

    ``files``: the run's reads; the project file composed here is the one its stacks inherit
    from (``sources.stack_file``)."""
    document = (files if files is not None else SourceCache()).document(project_file)
    config_dir = stack_config_dir(document, project_file)
    try:
        folder = (project_file.parent / config_dir).resolve()
    except (RuntimeError, OSError):  # a symlink loop (RuntimeError on Python 3.11)
        folder = project_file.parent / config_dir
    if not _is_folder(folder):
        raise InputError(
            f"stackConfigDir '{config_dir}' is not a folder", file=str(project_file),
            fix="create it or fix stackConfigDir",
        )  # fmt: skip
    default = project_declaration(document, project_file)
    # Every entry named like a stack file, readable or not: one that cannot be read (a dangling
    # symlink, a loop, a FIFO) is an error of its own, never a stack silently left out.
    cwd = Path.cwd().resolve()  # once: resolving it per stack file costs a stat per level
    # The folder made relative once (a name adds no `..`); scandir knows most entries' kinds
    # without a stat per file.
    here = _relative(folder, cwd)
    with os.scandir(folder) as entries:
        stack_files = sorted(
            entry.name for entry in entries
            if stack_name_of(Path(entry.name)) is not None and not _is_folder_entry(entry)
        )  # fmt: skip
    targets = [Target(here / name, "stack-file", default, project_file) for name in stack_files]
    for path in sorted(project_file.parent.iterdir()):
        if path.is_file() and is_dotenv(path):
            held = held_regions(path, repos.for_file(path)) if repos is not None else ()
            targets.append(Target(_relative(path, cwd), "dotenv", held=held))
    return targets


def _owning_project(stack_file: Path, files: SourceCache) -> tuple[Path, YamlDocument] | None:
    """The project file whose stackConfigDir holds this stack file, and its document."""
    # realpath, not resolve(): the stack file may be a symlink loop (RuntimeError on 3.11), and
    # a stack lives where its link is.
    folder = Path(os.path.realpath(stack_file.parent))
    for candidate in (folder, *list(folder.parents)[:3]):
        project = next((candidate / n for n in PROJECT_FILES if (candidate / n).is_file()), None)
        if project is None:
            continue
        named = _relative(project)  # as the stack's target names it: one read for both
        try:
            document = files.document(named)
        except ResidencyGuardError:
            return None  # the project file's own problems show when the project is scanned
        try:
            config_dir = stack_config_dir(document, project)
        except ResidencyGuardError:
            return None  # the project file's own problems show when the project is scanned
        if Path(os.path.realpath(project.parent / config_dir)) == folder:
            return named, document
        return None
    return None


def _is_folder_entry(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _relative(path: Path, cwd: Path | None = None) -> Path:
    try:
        return _absolute(path).relative_to(cwd or Path.cwd().resolve())
    except ValueError:
        return path


def _absolute(path: Path) -> Path:
    """The absolute path, symlinks kept: a stack is named by its link (``Pulumi.prod-eu.yaml``
    -> ``Pulumi.dev.yaml`` is the stack prod-eu, judged as such), and a symlink loop or a
    dangling link keeps its own name in the error."""
    return Path(os.path.abspath(path))


def discover(
    paths: list[Path], repos: RepoConfigs | None = None, region: str | None = None,
    files: SourceCache | None = None,
) -> tuple[list[Target], list[ResidencyGuardError]]:  # fmt: skip
    """Targets for the given paths, and one error per path that cannot be used.

    ``region`` (``--region``) holds every file named here that is no stack, project, preview
    or state file; in a folder, ``paths:`` of each file's repo config (``repos``, by default
    its nearest) does, and dotenv files are found at any
    depth. ``files``: the run's reads (a project file read here is not read again).
    """
    targets: list[Target] = []
    errors: list[ResidencyGuardError] = []
    repos = repos if repos is not None else RepoConfigs()
    files = files if files is not None else SourceCache()
    for path in paths:
        try:
            if path.is_dir():
                targets.extend(_folder_targets(path, errors, repos, files))
            elif path.exists() or path.is_symlink():
                if path.name in PROJECT_FILES:
                    found = project_targets(path, files, repos)
                    if not any(t.kind == "stack-file" for t in found):
                        # Nothing to judge is never a green run, as for the project's folder.
                        raise InputError(
                            "no stack files (Pulumi.<stack>.yaml) in this Pulumi project",
                            file=str(path), fix="pass the stack files, or commit them",
                        )  # fmt: skip
                    targets.extend(found)
                    continue
                kind = classify_file(path)
                held = (
                    held_regions(path, repos.for_file(path), region)
                    if kind != "stack-file" else ()
                )  # fmt: skip
                if kind is None and held and path.suffix.lower() in CONFIG_SUFFIXES:
                    kind = "config-file"
                if kind is None:
                    raise InputError(
                        "not a stack file, preview/state JSON or dotenv file", file=str(path),
                        fix="pass a Pulumi project folder, Pulumi.<stack>.yaml, a .json or a "
                        ".env, or hold the file to a region with --region or `paths:`",
                    )  # fmt: skip
                owner = _owning_project(path, files) if kind == "stack-file" else None
                if owner is None:
                    targets.append(Target(path, kind, held=held))
                else:
                    project, document = owner
                    default = project_declaration(document, project)
                    targets.append(Target(path, kind, default, project))
            else:
                raise InputError("no such file or folder", file=str(path), fix="check the path")
        except ResidencyGuardError as error:
            errors.append(error)
    unique: dict[Path, Target] = {}
    for target in targets:
        unique.setdefault(_absolute(target.path), target)
    return list(unique.values()), errors


def _folder_targets(
    folder: Path, errors: list[ResidencyGuardError], repos: RepoConfigs, cache: SourceCache
) -> list[Target]:
    targets: list[Target] = []
    projects = 0
    known = len(errors)  # a project refused below already says why nothing was judged

    def unreadable(error: OSError) -> None:  # a folder left out is an error, never a skip
        errors.append(
            InputError(f"cannot read folder ({error.strerror})", file=str(error.filename or folder))
        )

    # followlinks=False: a symlink loop in a scanned folder cannot make the walk endless.
    for root, dirs, files in os.walk(folder, followlinks=False, onerror=unreadable):
        here = Path(root)
        dirs[:] = _kept_folders(here, dirs, repos.for_file(here / FILE_NAME))
        if root == str(folder) and any(name in files for name in PROJECT_FILES):
            dirs[:] = []  # a project folder is that project: its tests' fixtures are not stacks
        project = next((here / name for name in PROJECT_FILES if name in files), None)
        if project is not None:
            projects += 1
            try:
                targets.extend(project_targets(project, cache, repos))
            except ResidencyGuardError as error:
                errors.append(error)
    seen = {_absolute(t.path) for t in targets}
    targets.extend(t for t in _held_targets(folder, repos, errors) if _absolute(t.path) not in seen)
    if not targets and len(errors) == known:  # nothing to judge is never a green run
        what = (
            "no stack files (Pulumi.<stack>.yaml) in the Pulumi project here"
            if projects
            else "no Pulumi project (Pulumi.yaml) in this folder"
        )
        errors.append(
            InputError(what, file=str(folder), fix="pass the project folder or the stack files")
        )
    return targets


def _kept_folders(here: Path, dirs: list[str], repo: RepoConfig | None) -> list[str]:
    """The sub-folders of ``here`` a folder scan walks: not the ones that never hold a user's
    stack, nor those the ``exclude:`` globs of ``here``'s repo config (``repo``) leave out."""
    return sorted(
        d for d in dirs if d not in _SKIP_DIRS and not (repo and repo.excludes(here / d))
    )


def _held_targets(
    folder: Path, repos: RepoConfigs, errors: list[ResidencyGuardError]
) -> list[Target]:
    """Dotenv files at any depth, and the settings files ``paths:`` holds to a region."""
    targets: list[Target] = []
    cwd = Path.cwd().resolve()

    def unreadable(error: OSError) -> None:
        errors.append(
            InputError(f"cannot read folder ({error.strerror})", file=str(error.filename or folder))
        )

    for root, dirs, files in os.walk(folder, followlinks=False, onerror=unreadable):
        here = Path(root)
        repo_here = repos.for_file(here / FILE_NAME)
        dirs[:] = _kept_folders(here, dirs, repo_here)
        for name in sorted(files):
            if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml")):
                continue  # a stack or project file: the project walk above finds it
            path = here / name
            if repo_here and repo_here.excludes(path):
                continue
            if is_dotenv(path):
                held = held_regions(path, repos.for_file(path))
                targets.append(Target(_relative(path, cwd), "dotenv", held=held))
            elif is_checkpoint(path):
                targets.append(Target(_relative(path, cwd), "pulumi-json"))
            elif (
                path.suffix.lower() in CONFIG_SUFFIXES
                and name not in PROJECT_FILES
                and name != FILE_NAME
                and stack_name_of(path) is None
            ):
                repo = repos.for_file(path)
                if repo is None or not repo.paths:
                    continue
                held = held_regions(path, repo)
                if held and held[0].source is RegionSource.REPO_MAPPING:
                    targets.append(Target(_relative(path, cwd), "config-file", held=held))
    return targets
