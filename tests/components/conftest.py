"""Pulumi mocks for the component tests: every registration recorded, secrets kept wrapped.

Pulumi's mock settings are process-global: the ``engine`` fixture installs a fresh monitor
and recorder for each test and clears the config afterwards, so no test sees another's
resources or config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

# A made-up key in the shape of a project key (residency_guard.redact.KEY_PATTERN).
FAKE_KEY = "sk-proj-TESTONLYnotarealkey0123456789"
# How a secret travels over the wire (pulumi-notes: the secret signature).
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_secret(value: object) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def reveal(value: Any) -> Any:
    """A secret wrapper's value (asserting it is one)."""
    assert is_secret(value), f"expected a secret, got {value!r}"
    return value["value"]


def leaks(data: Any, needle: str, path: str = "") -> list[str]:
    """Where ``needle`` occurs in ``data`` outside every secret wrapper."""
    if is_secret(data):
        return []
    if isinstance(data, str):
        return [path or "."] if needle in data else []
    if isinstance(data, Mapping):
        return [hit for k, v in data.items() for hit in leaks(v, needle, f"{path}.{k}")]
    if isinstance(data, list | tuple):
        return [hit for i, v in enumerate(data) for hit in leaks(v, needle, f"{path}[{i}]")]
    return []


@dataclass
class Recorder(pulumi.runtime.Mocks):
    """Mocks that echo inputs as outputs and keep every registration."""

    resources: list[MockResourceArgs] = field(default_factory=list)

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    def of_type(self, typ: str) -> list[MockResourceArgs]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str) -> MockResourceArgs:
        found = self.of_type(typ)
        assert len(found) == 1, f"expected one {typ}, got {[r.name for r in found]}"
        return found[0]


class RecordingMonitor(MockMonitor):
    """Also records what components register as outputs (what state would hold)."""

    def __init__(self, mocks: Recorder) -> None:
        super().__init__(mocks)
        self.outputs: dict[str, Any] = {}

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.outputs[request.urn] = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


@dataclass
class Engine:
    recorder: Recorder
    monitor: RecordingMonitor

    def everything(self) -> list[Any]:
        """Every input and every registered output: what state and the engine would see."""
        return [r.inputs for r in self.recorder.resources] + list(self.monitor.outputs.values())


def run(program: Callable[[], Any]) -> None:
    """Runs ``program`` as Pulumi runs a program, then waits for every registration and output,
    so that the recorder and the monitor hold everything afterwards."""
    pulumi.runtime.test(program)()


def start(stack: str = "prod-eu", *, preview: bool = False) -> Engine:
    recorder = Recorder()
    monitor = RecordingMonitor(recorder)
    pulumi.runtime.set_mocks(
        recorder, project="residency-guard", stack=stack, preview=preview, monitor=monitor
    )
    return Engine(recorder, monitor)


@pytest.fixture
def engine() -> Iterator[Engine]:
    yield start()
    pulumi.runtime.set_all_config({})
