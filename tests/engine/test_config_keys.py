"""The stack's region as the real engine reads it (`pulumi config get`), against the gate.

The engine reads config with Go's yaml.v3: a merge key is only a key whose text is `<<`
(`!!merge name:` is the plain key `name`), a bare key takes the project's name as its
namespace, `<ns>:config:<key>` is `<ns>:<key>`, and when a file spells one key twice Go's map
order picks the value, differently from run to run. Generated stack files hold the region key
in those spellings, tagged or not, directly or under merge keys; every value the engine may
read must be one the gate considered, and a file where the engine's pick varies must be a
finding (RG009 or RG015), never a silent pick.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from residency_guard.catalog import shipped_catalog
from residency_guard.errors import InputError
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.stackfile import scan_stack_file
from residency_guard.stackregion import RegionSource

from .conftest import PulumiEngine, init_stack

pytestmark = pytest.mark.engine

PROJECTS = ("residency-guard", "shop")
STACK = "s"
# Runs of `pulumi config get` per file: each run iterates Go maps in a new order.
RUNS = 5
SPELLINGS = ("residency-guard:region", "residency-guard:config:region", "region")
REGIONS = ("eu", "us", "global")
KEY_TAGS = ("", "!!merge ", "!!str ")
MERGE_KEYS = ("<<", "!!merge <<", '"<<"', "!!str <<", "!!merge m")


def _plain_entry() -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, key, region: f"  {tag}{key}: {region}",
        st.sampled_from(KEY_TAGS), st.sampled_from(SPELLINGS), st.sampled_from(REGIONS),
    )  # fmt: skip


def _merge_entry() -> st.SearchStrategy[str]:
    return st.builds(
        lambda merge, key, region: f"  {merge}: {{{key}: {region}}}",
        st.sampled_from(MERGE_KEYS), st.sampled_from(SPELLINGS), st.sampled_from(REGIONS),
    )  # fmt: skip


STACK_FILES = st.lists(st.one_of(_plain_entry(), _merge_entry()), min_size=1, max_size=3).map(
    lambda entries: "config:\n" + "\n".join(entries) + "\n"
)


@pytest.fixture(scope="module")
def projects(pulumi_engine: PulumiEngine, tmp_path_factory: pytest.TempPathFactory) -> dict[
    str, Path
]:  # fmt: skip
    """One YAML-runtime project per name, with the stack `s` initialised."""
    found = {}
    for name in PROJECTS:
        folder = tmp_path_factory.mktemp(name)
        (folder / "Pulumi.yaml").write_text(f"name: {name}\nruntime: yaml\n", encoding="utf-8")
        init_stack(pulumi_engine, folder, STACK)
        found[name] = folder
    return found


def engine_reads(engine: PulumiEngine, folder: Path) -> tuple[set[str], bool, bool]:
    """(the regions `pulumi config get` gave over RUNS runs, whether a run found no region,
    whether the engine refused the file)."""
    regions: set[str] = set()
    missing = refused = False
    for _ in range(RUNS):
        proc = engine.run(["config", "get", "residency-guard:region", "--stack", STACK], folder)
        if proc.returncode == 0:
            regions.add(proc.stdout.strip())
        elif "not found" in proc.stderr:
            missing = True
        else:
            refused = True
    return regions, missing, refused


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=STACK_FILES, project=st.sampled_from(PROJECTS))
def test_the_gate_considers_every_region_the_engine_may_read(
    pulumi_engine: PulumiEngine, projects: dict[str, Path], text: str, project: str
) -> None:
    folder = projects[project]
    stack_file = folder / f"Pulumi.{STACK}.yaml"
    stack_file.write_text(text, encoding="utf-8")
    regions, missing, refused = engine_reads(pulumi_engine, folder)
    try:
        scan = scan_stack_file(
            stack_file, shipped_catalog(), RepoConfig(), project_file=folder / "Pulumi.yaml"
        )
    except InputError:
        return  # refused by the gate: exit 2, never a pass
    rules = {f.rule for f in scan.findings}
    flagged = bool(rules & {"RG009", "RG015"})
    declared = {
        d.region for d in scan.resolution.declarations if d.source is RegionSource.STACK_CONFIG
    }
    if refused:
        assert flagged, (text, "the engine refuses this file")
        return
    assert regions <= declared, (text, regions, declared)
    if len(regions) > 1 or (regions and missing):
        assert flagged, (text, regions, missing)
    if missing and not regions:
        assert not declared or flagged, (text, declared)
    if not flagged:
        assert scan.resolution.region == (next(iter(regions)) if regions else None), text
