"""Files held to a region by path (`paths:`, `check --region`) and dotenv files at any depth."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

CLI = [sys.executable, "-m", "residency_guard.cli"]


def check(folder: Path, *args: str) -> tuple[int, list[tuple[str, str, int]], str]:
    result = subprocess.run(
        [*CLI, "check", *args, "--format", "json"], cwd=folder, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    data = json.loads(result.stdout) if result.stdout else {"findings": []}
    found = [(f["rule"], f["file"], f["line"]) for f in data["findings"]]
    return result.returncode, found, result.stderr


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: chat
data:
  OPENAI_BASE_URL: https://api.openai.com/v1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat
spec:
  template:
    spec:
      containers:
        - name: chat
          image: example/chat:1
          env:
            - name: OPENAI_BASE_URL
              value: https://eu.api.openai.com/v1
            - name: OPENAI_MODEL
              value: gpt-4o
"""
COMPOSE = """\
services:
  api:
    image: example/api
    environment:
      - OPENAI_BASE_URL=https://api.openai.com/v1
      - LOG_LEVEL=info
  worker:
    image: example/worker
    environment:
      OPENAI_BASE_URL: https://us.api.openai.com/v1
"""
LITELLM = """\
model_list:
  - model_name: local-llama
    litellm_params:
      model: ollama/llama3
      api_base: http://ollama:11434
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_base: https://eu.api.openai.com/v1
      api_key: os.environ/OPENAI_API_KEY
"""
HELM = """\
replicaCount: 2
openai:
  baseUrl: https://api.openai.com/v1
  model: gpt-4o-2024-11-20
"""


def test_paths_hold_every_kind_of_settings_file_to_its_region(tmp_path: Path) -> None:
    write(tmp_path, {
        "residency-guard.yaml": "paths:\n  deploy/eu: eu\n  compose.yaml: eu\n"
                                "  '*/litellm.yaml': eu\n  charts/*/values.yaml: eu\n",
        "deploy/eu/chat.yaml": MANIFEST,
        "compose.yaml": COMPOSE,
        "gateway/litellm.yaml": LITELLM,
        "charts/chat/values.yaml": HELM,
        "deploy/us/chat.yaml": MANIFEST,  # not held to a region: not judged
    })  # fmt: skip
    code, found, stderr = check(tmp_path)
    assert (code, stderr) == (1, "")
    assert found == [
        ("RG001", "charts/chat/values.yaml", 3),
        ("RG001", "compose.yaml", 5),  # the list item OPENAI_BASE_URL=...
        ("RG001", "compose.yaml", 10),
        ("RG001", "deploy/eu/chat.yaml", 6),  # first document
        ("RG004", "deploy/eu/chat.yaml", 22),  # second document
        ("RG004", "gateway/litellm.yaml", 8),  # openai/gpt-4o: the alias; routes are names
    ]


def test_region_on_the_command_line_holds_the_files_named(tmp_path: Path) -> None:
    write(tmp_path, {"chat.yaml": MANIFEST, "settings.json": json.dumps(
        {"openai": {"baseUrl": "https://api.openai.com/v1"}})})  # fmt: skip
    code, found, _ = check(tmp_path, "--region", "eu", "chat.yaml", "settings.json")
    assert code == 1
    assert found == [
        ("RG001", "chat.yaml", 6), ("RG004", "chat.yaml", 22), ("RG001", "settings.json", 0),
    ]
    assert check(tmp_path, "--region", "us", "settings.json")[:2] == (
        1, [("RG001", "settings.json", 0)]
    )
    assert check(tmp_path, "--region", "global", "chat.yaml")[:2] == (0, [])


def test_a_settings_file_held_to_no_region_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path, {"chat.yaml": MANIFEST})
    code, _, stderr = check(tmp_path, "chat.yaml")
    assert code == 2
    assert stderr == (
        "residency-guard: error: chat.yaml: not a stack file, preview/state JSON or dotenv file; "
        "pass a Pulumi project folder, Pulumi.<stack>.yaml, a .json or a .env, or hold the file "
        "to a region with --region or `paths:`\n"
    )


def test_a_broken_file_is_one_error_and_the_others_are_still_judged(tmp_path: Path) -> None:
    write(tmp_path, {
        "residency-guard.yaml": "paths:\n  k8s: eu\n",
        "k8s/a.yaml": MANIFEST,
        "k8s/b.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n  URL: [unclosed\n",
    })  # fmt: skip
    code, found, stderr = check(tmp_path)
    assert code == 2
    assert stderr.startswith("residency-guard: error: k8s/b.yaml:5: invalid YAML")
    assert len(stderr.splitlines()) == 1
    assert ("RG001", "k8s/a.yaml", 6) in found


def test_globs_are_relative_to_the_config_file_wherever_check_runs(tmp_path: Path) -> None:
    write(tmp_path, {
        "residency-guard.yaml": "paths:\n  infra/k8s/*.yaml: eu\n",
        "infra/k8s/chat.yaml": MANIFEST,
    })  # fmt: skip
    code, found, _ = check(tmp_path / "infra", ".")
    assert code == 1
    assert ("RG001", "k8s/chat.yaml", 6) in found


def test_dotenv_files_at_any_depth_take_their_region_from_paths_stacks_or_the_file(
    tmp_path: Path,
) -> None:
    write(tmp_path, {
        "residency-guard.yaml": "stacks:\n  prod-eu*: eu\npaths:\n  services/eu: eu\n",
        "Pulumi.yaml": "name: shop\nruntime: python\n",
        "Pulumi.prod-eu.yaml": "config:\n  residency-guard:region: eu\n",
        "services/eu/chat/.env": "OPENAI_BASE_URL=https://api.openai.com/v1\n",
        "deploy/.env.prod-eu": "OPENAI_BASE_URL=https://us.api.openai.com/v1\n",
        "tools/.env.example": "# residency-guard:region: gb\n"
                              "OPENAI_BASE_URL=https://api.openai.com/v1\n",
        "notes/.env": "DATABASE_URL=postgres://db/x\n",  # nothing about OpenAI, no region
    })  # fmt: skip
    code, found, _ = check(tmp_path)
    assert code == 1
    assert found == [
        ("RG001", "deploy/.env.prod-eu", 1),
        ("RG001", "services/eu/chat/.env", 1),
        ("RG001", "tools/.env.example", 2),
    ]


def test_a_dotenv_declaring_another_region_than_its_path_is_rg009(tmp_path: Path) -> None:
    write(tmp_path, {
        "residency-guard.yaml": "paths:\n  eu: eu\n",
        "eu/.env": "RESIDENCY_GUARD_REGION=us\nOPENAI_BASE_URL=https://us.api.openai.com/v1\n",
    })  # fmt: skip
    code, found, _ = check(tmp_path)
    assert code == 1
    assert [rule for rule, _, _ in found] == ["RG009"]


def test_a_key_without_its_base_url_in_a_held_manifest_is_rg018(tmp_path: Path) -> None:
    write(tmp_path, {"chat.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: chat}
        spec:
          template:
            spec:
              containers:
                - name: chat
                  image: example/chat:1
                  env:
                    - name: OPENAI_API_KEY
                      valueFrom: {secretKeyRef: {name: openai, key: api-key}}
        """})  # fmt: skip
    assert check(tmp_path, "--region", "eu", "chat.yaml")[:2] == (1, [("RG018", "chat.yaml", 11)])
    assert check(tmp_path, "--region", "global", "chat.yaml")[:2] == (0, [])
