"""The real Pulumi engine for tests: built (or reused) by scripts/install-pulumi-engine.

`pulumi_engine` is session-scoped. Its `run(args, cwd)` runs `pulumi` offline: bin dir first on
PATH, a file backend in a fresh temporary folder per work dir (so `stack init` and `up` in the same
work dir share state), a throwaway PULUMI_HOME, no update check and no plugin downloads. It returns
the CompletedProcess (text stdout/stderr) and never raises on a non-zero exit code; a timeout
raises subprocess.TimeoutExpired. If the engine cannot be built, every test using it fails (it is
not skipped).

The rest are the shared pieces of the end-to-end tests (docs/engine.md): copies of the reference
program, of the policy pack and of the component provider with their `virtualenv` pinned to this
venv, a stack initialised with the fake key as a secret, a parser for the engine's `Policies:`
block, the `residency-guard check` CLI, and the two session-scoped runs that several modules read
(`dev_us_run`: up, export and destroy of `dev-us`; `raw_eu_run`: the blocked raw-env stack).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-pulumi-engine"
# A first build compiles the CLI from source (~13 min on 2 cores); later runs reuse the cache.
INSTALL_TIMEOUT_S = 45 * 60
RUN_TIMEOUT_S = 300
PASSPHRASE = "test"


@dataclass
class PulumiEngine:
    bin_dir: Path
    scratch: Path
    home: Path
    _backends: dict[Path, Path] = field(default_factory=dict)

    @property
    def pulumi(self) -> Path:
        return self.bin_dir / "pulumi"

    def backend_dir(self, cwd: Path | str) -> Path:
        """The file backend for `cwd`: created empty on first use, then kept for the session."""
        key = Path(cwd).resolve()
        if key not in self._backends:
            self._backends[key] = Path(tempfile.mkdtemp(prefix="state-", dir=self.scratch))
        return self._backends[key]

    def env(self, cwd: Path | str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The offline environment for pulumi in `cwd` (ambient PULUMI_* variables are dropped)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env.update(
            PATH=f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            PULUMI_HOME=str(self.home),
            PULUMI_BACKEND_URL=self.backend_dir(cwd).as_uri(),
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        )
        if extra:
            env.update(extra)
        return env

    def run(
        self,
        args: Sequence[str],
        cwd: Path | str,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = RUN_TIMEOUT_S,
    ) -> subprocess.CompletedProcess[str]:
        """Run `pulumi <args>` in `cwd`; `env` adds to (or overrides) the offline environment."""
        return subprocess.run(
            [str(self.pulumi), *args],
            cwd=cwd,
            env=self.env(cwd, env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def pulumi_engine(tmp_path_factory: pytest.TempPathFactory) -> PulumiEngine:
    try:
        proc = subprocess.run(
            [str(INSTALL_SCRIPT)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"scripts/install-pulumi-engine could not run: {exc}", pytrace=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        pytest.fail(
            f"scripts/install-pulumi-engine failed (exit {proc.returncode}):\n"
            f"{proc.stderr[-4000:]}",
            pytrace=False,
        )
    bin_dir = Path(lines[-1])
    if not (bin_dir / "pulumi").is_file():
        pytest.fail(
            f"scripts/install-pulumi-engine printed {bin_dir}, which has no pulumi", pytrace=False
        )
    scratch = tmp_path_factory.mktemp("pulumi-engine")
    home = scratch / "pulumi-home"
    home.mkdir()
    return PulumiEngine(bin_dir=bin_dir, scratch=scratch, home=home)


# ---------------------------------------------------------------------------------------------
# Shared pieces of the end-to-end tests.

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "engine"
# The venv running the tests (residency-guard, pulumi and pulumi-policy are installed in it).
VENV = Path(sys.prefix) if sys.prefix != sys.base_prefix else REPO_ROOT / ".venv"
# Obviously fake, and built at run time so that no key-shaped literal sits in the repo.
FAKE_KEY = "sk-proj-" + "ENGINE" * 8
KEY_CONFIG = "residency-guard:apiKey"
# The signature pulumi puts on every secret value in state (`pulumi stack export`).
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
SUMMARY_POLICY = "openai-configuration-summary"
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "residency-guard.yaml")

_VIRTUALENV = re.compile(r"^(\s*virtualenv:[ \t]*)\S.*$", re.MULTILINE)
_PLUGIN_PATH = re.compile(r"^(\s*path:[ \t]*)\S.*$", re.MULTILINE)


def _rewrite_one(path: Path, pattern: re.Pattern[str], value: str) -> None:
    text, count = pattern.subn(lambda m: m.group(1) + value, path.read_text(encoding="utf-8"))
    assert count == 1, f"expected one `{pattern.pattern}` line in {path}, found {count}"
    path.write_text(text, encoding="utf-8")


def pin_virtualenv(path: Path) -> None:
    """Point the `virtualenv:` of a Pulumi.yaml / PulumiPolicy.yaml / PulumiPlugin.yaml copy at
    this venv, by absolute path (the copies live in a temporary folder)."""
    _rewrite_one(path, _VIRTUALENV, str(VENV))


def pin_plugin_path(path: Path, plugin_dir: Path) -> None:
    """Point the one `plugins.providers[].path` of a Pulumi.yaml copy at `plugin_dir`."""
    _rewrite_one(path, _PLUGIN_PATH, str(plugin_dir))


def _ignore() -> Any:
    # venv: a pack folder set up for local use (policies/venv) is not part of the pack.
    return shutil.ignore_patterns("__pycache__", "*.pyc", ".env*", "venv")


def copy_reference_project(dest: Path, extra_stacks: Sequence[Path] = ()) -> Path:
    """A copy of the reference program (Pulumi.yaml, __main__.py, residency-guard.yaml,
    stacks/) in `dest`, plus `extra_stacks` (stack files) in its stacks/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(REPO_ROOT / name, dest / name)
    shutil.copytree(REPO_ROOT / "stacks", dest / "stacks", ignore=_ignore())
    for stack_file in extra_stacks:
        shutil.copy2(stack_file, dest / "stacks" / stack_file.name)
    pin_virtualenv(dest / "Pulumi.yaml")
    return dest


def copy_fixture_program(name: str, dest: Path) -> Path:
    """A copy of tests/fixtures/engine/<name> in `dest`, with its virtualenv pinned."""
    shutil.copytree(FIXTURES / name, dest, ignore=_ignore())
    pin_virtualenv(dest / "Pulumi.yaml")
    return dest


def ok(proc: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    """`proc`, after checking that it exited 0 (its output in the failure message)."""
    assert proc.returncode == 0, (
        f"{what} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )
    return proc


def output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def init_stack(
    engine: PulumiEngine, cwd: Path, stack: str, secrets: Mapping[str, str] | None = None
) -> None:
    """`pulumi stack init <stack>` in `cwd`, then `pulumi config set --secret` of each secret."""
    ok(engine.run(["stack", "init", stack], cwd), f"pulumi stack init {stack}")
    for key, value in (secrets or {}).items():
        ok(
            engine.run(["config", "set", "--secret", key, value, "--stack", stack], cwd),
            f"pulumi config set --secret {key}",
        )


def stack_export(engine: PulumiEngine, cwd: Path, stack: str) -> str:
    return ok(engine.run(["stack", "export", "--stack", stack], cwd), "pulumi stack export").stdout


def resources(export_text: str) -> list[dict[str, Any]]:
    """The resources of a `pulumi stack export` (none before the first successful update)."""
    deployment = json.loads(export_text)["deployment"]
    return list(deployment.get("resources") or [])


def is_secret(value: object) -> bool:
    """A secret as `pulumi stack export` writes it: the signature and the ciphertext."""
    return (
        isinstance(value, dict)
        and value.get(SECRET_SIG[0]) == SECRET_SIG[1]
        and isinstance(value.get("ciphertext"), str)
        and bool(value["ciphertext"])
    )


# One policy's heading in the `Policies:` block, then its violations, one `[RGxxx]` line each:
#     - [mandatory] [severity: high]  openai-endpoint-region  (pulumi-python:dynamic/...: worker-env)
#       OpenAI endpoints reach the stack's region only (RG001, RG002, RG010, RG011, RG020).
#       [RG001] EU stack 'prod-eu-raw' sends to ... (at worker-env.env.OPENAI_BASE_URL). Fix: ...
_POLICY = re.compile(
    r"^\s*- \[(?P<level>[a-z]+)\](?: \[severity: [a-z]+\])?\s+(?P<policy>[\w-]+)\s+"
    r"\((?P<type>\S+): (?P<name>[^)]*)\)\s*$"
)
_VIOLATION = re.compile(r"^\s*\[(?P<rule>RG\d{3})\].*?(?: \(at (?P<path>[^)]*)\))?(?:\. Fix: |$)")


@dataclass(frozen=True)
class PackViolation:
    level: str
    policy: str
    type: str
    name: str
    rule: str
    path: str


def pack_violations(text: str) -> set[PackViolation]:
    """The `[RGxxx]` violations of every `Policies:` block in a pulumi output (a `pulumi up`
    prints one for its preview and one for its update), the advisory summary left out."""
    found: set[PackViolation] = set()
    heading: re.Match[str] | None = None
    for line in text.splitlines():
        if (match := _POLICY.match(line)) is not None:
            heading = match
        elif len(line) - len(line.lstrip()) <= 4:  # `Policies:`, a pack's line, `Diagnostics:`...
            heading = None
        elif heading is None or heading["policy"] == SUMMARY_POLICY:
            continue
        elif (match := _VIOLATION.match(line)) is not None:
            found.add(
                PackViolation(
                    heading["level"], heading["policy"], heading["type"], heading["name"],
                    match["rule"], match["path"] or "",
                )
            )  # fmt: skip
    return found


def residency_guard(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `residency-guard` CLI of this venv."""
    return subprocess.run(
        [str(VENV / "bin" / "residency-guard"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


def check_json(path: Path, cwd: Path, config: Path | None = None) -> dict[str, Any]:
    """`residency-guard check --format json <path>` as parsed JSON (exit 0 or 1 only)."""
    args = ["check", "--format", "json", *(["--config", str(config)] if config else []), str(path)]
    proc = residency_guard(args, cwd)
    assert proc.returncode in (0, 1), (
        f"residency-guard {args} exited {proc.returncode}\n{proc.stderr}"
    )
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["errors"] == [], report["errors"]
    return report


def cli_errors(report: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(rule, path) of the error findings of a `check --format json` report."""
    return {
        (f["rule"], f.get("path") or "") for f in report["findings"] if f["severity"] == "error"
    }


@pytest.fixture(scope="session")
def policy_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of policies/ beside a copy of the repo's residency-guard.yaml, as in the repo (the
    pack reads the nearest residency-guard.yaml above its folder), its virtualenv pinned."""
    root = tmp_path_factory.mktemp("pack-root")
    pack = root / "policies"
    shutil.copytree(REPO_ROOT / "policies", pack, ignore=_ignore())
    shutil.copy2(REPO_ROOT / "residency-guard.yaml", root / "residency-guard.yaml")
    pin_virtualenv(pack / "PulumiPolicy.yaml")
    return pack


@pytest.fixture(scope="session")
def advisory_pack_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`--policy-pack-config` that makes every policy advisory: the pack reports, blocks nothing.
    A real file: `pulumi up` reads it once for its preview and again for its update."""
    path = tmp_path_factory.mktemp("pack-config") / "advisory.json"
    path.write_text(json.dumps({"all": "advisory"}), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def components_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of components/ (the component provider plugin), its virtualenv pinned."""
    dest = tmp_path_factory.mktemp("plugin") / "components"
    shutil.copytree(REPO_ROOT / "components", dest, ignore=_ignore())
    pin_virtualenv(dest / "PulumiPlugin.yaml")
    return dest


@dataclass
class DevUsRun:
    """`pulumi up` (the pack advisory), export, `residency-guard check` and `pulumi destroy` of
    the reference program's `dev-us` stack (dotenv sink), recorded as they happened."""

    project: Path
    dotenv: Path
    up: subprocess.CompletedProcess[str]
    dotenv_text: str | None
    dotenv_mode: int | None
    export_after_up: str
    export_file: Path
    check_after_up: subprocess.CompletedProcess[str]
    destroy: subprocess.CompletedProcess[str]
    dotenv_after_destroy: bool
    export_after_destroy: str


@pytest.fixture(scope="session")
def dev_us_run(
    pulumi_engine: PulumiEngine,
    policy_pack: Path,
    advisory_pack_config: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> DevUsRun:
    work = tmp_path_factory.mktemp("dev-us")
    project = copy_reference_project(work / "project")
    init_stack(pulumi_engine, project, "dev-us", {KEY_CONFIG: FAKE_KEY})
    up = pulumi_engine.run(
        ["up", "--yes", "--stack", "dev-us", "--policy-pack", str(policy_pack),
         "--policy-pack-config", str(advisory_pack_config)],
        project,
    )  # fmt: skip
    ok(up, "pulumi up (dev-us)")
    dotenv = project / ".env.dev-us"
    text = dotenv.read_text(encoding="utf-8") if dotenv.exists() else None
    mode = stat.S_IMODE(dotenv.stat().st_mode) if dotenv.exists() else None
    export = stack_export(pulumi_engine, project, "dev-us")
    export_file = work / "dev-us.export.json"  # outside the project: check scans the project
    export_file.write_text(export, encoding="utf-8")
    check = residency_guard(["check", "--format", "json", "."], project)
    destroy = pulumi_engine.run(["destroy", "--yes", "--stack", "dev-us"], project)
    return DevUsRun(
        project=project,
        dotenv=dotenv,
        up=up,
        dotenv_text=text,
        dotenv_mode=mode,
        export_after_up=export,
        export_file=export_file,
        check_after_up=check,
        destroy=destroy,
        dotenv_after_destroy=dotenv.exists(),
        export_after_destroy=stack_export(pulumi_engine, project, "dev-us"),
    )


RAW_STACK = "prod-eu-raw"
RAW_RESOURCES = ("worker-env", "batch-env")
RAW_TYPE = "pulumi-python:dynamic/worker:EnvFile"


@dataclass
class RawEuRun:
    """The raw-env fixture's `prod-eu-raw` stack: `pulumi up --policy-pack` (blocked), the
    export after it, and `pulumi preview --json` without the pack (for the CLI)."""

    project: Path
    up: subprocess.CompletedProcess[str]
    export_after_up: str
    preview_json: Path
    config_file: Path  # the residency-guard.yaml beside the pack


@pytest.fixture(scope="session")
def raw_eu_run(
    pulumi_engine: PulumiEngine, policy_pack: Path, tmp_path_factory: pytest.TempPathFactory
) -> RawEuRun:
    work = tmp_path_factory.mktemp("raw-eu")
    project = copy_fixture_program("raw-env", work / "project")
    init_stack(pulumi_engine, project, RAW_STACK)
    up = pulumi_engine.run(
        ["up", "--yes", "--stack", RAW_STACK, "--policy-pack", str(policy_pack)], project
    )
    export = stack_export(pulumi_engine, project, RAW_STACK)
    preview = ok(
        pulumi_engine.run(["preview", "--json", "--stack", RAW_STACK], project),
        "pulumi preview --json (prod-eu-raw, no pack)",
    )
    preview_json = work / "prod-eu-raw.preview.json"
    preview_json.write_text(preview.stdout, encoding="utf-8")
    return RawEuRun(project, up, export, preview_json, policy_pack.parent / "residency-guard.yaml")


def core_refusal(
    component: str,
    region: str,
    *,
    stack: str,
    models: Mapping[str, Sequence[str]],
    surfaces: Sequence[str],
    gateway_host: str | None = None,
) -> list[str]:
    """The lines OpenAIResidency refuses a declaration with, as the rule core words them
    (`<component>: RGxxx: <message>; <fix>`, one per error finding)."""
    from residency_guard.api import check_declaration
    from residency_guard.findings import Severity

    findings = check_declaration(
        region,
        models=models,
        surfaces=list(dict.fromkeys([*surfaces, *models])),
        gateway_host=gateway_host,
        stack=stack,
    )
    return [
        f"{component}: {f.rule}: {f.message}; {f.fix}"
        for f in findings
        if f.severity is Severity.ERROR
    ]
