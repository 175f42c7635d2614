"""The engine bench's program: N dynamic resources, each a workload's settings with an env map.

``resources.json`` beside this file (written by ``bench.engine``) holds each resource's name,
image and env; the env's ``OPENAI_API_KEY``, where there is one, is sent as a secret. The
provider does nothing (a preview only calls its ``check``); it is serialised once
(``components.dynamic``), so that a thousand resources do not hit pulumi 3.272's
RecursionError.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi.dynamic

from components.dynamic import OnceSerialized


class WorkloadProvider(pulumi.dynamic.ResourceProvider):
    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(id_=props["name"], outs=props)


class Workload(OnceSerialized, module="bench", name="Workload"):
    """``pulumi-python:dynamic/bench:Workload``."""

    def __init__(self, spec: dict[str, Any]) -> None:
        env: dict[str, Any] = dict(spec["env"])
        if "OPENAI_API_KEY" in env:
            env["OPENAI_API_KEY"] = pulumi.Output.secret(env["OPENAI_API_KEY"])
        props = {
            "name": spec["name"],
            "image": spec["image"],
            "replicas": spec["replicas"],
            "labels": spec["labels"],
            "env": env,
        }
        super().__init__(WorkloadProvider(), spec["name"], props)


for spec in json.loads((Path(__file__).parent / "resources.json").read_text(encoding="utf-8")):
    Workload(spec)
