"""The pack's contract with pulumi-policy's private servicer (residency_pack/servicer_contract.py).

The pack reads requests through pulumi-policy's private ``_PolicyAnalyzerServicer``. These tests
pin that contract: the installed pulumi-policy holds it, every private name the pack's servicer
uses is in the contract's lists (so a new one cannot slip in unchecked), a pulumi-policy that
differs is named part by part, and the served pack refuses to start on one, in one line.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies.residency_pack import PACK_ENFORCEMENT, PACK_NAME, servicer_contract
from policies.residency_pack.servicer_contract import (
    PULUMI_POLICY_VERSION,
    REQUEST_FIELDS,
    SERVICER_ATTRIBUTES,
    SERVICER_METHODS,
    RequestScoped,
    ServicerContractError,
    contract_breaks,
    current_request,
    require_contract,
)

from .helpers import EU_URL, urn
from .shapes import k8s_deployment

REPO = Path(__file__).resolve().parents[2]
SERVICER_PY = REPO / "policies" / "residency_pack" / "servicer.py"


def struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


def test_the_installed_pulumi_policy_holds_the_contract() -> None:
    assert pulumi_policy.version.VERSION == PULUMI_POLICY_VERSION
    assert contract_breaks() == []
    require_contract()  # what serve() runs first: no error


def _servicer_class() -> ast.ClassDef:
    tree = ast.parse(SERVICER_PY.read_text(encoding="utf-8"))
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "OncePerResource")


def test_every_inherited_method_the_servicer_uses_is_in_the_contract() -> None:
    cls = _servicer_class()
    own = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    called = {
        node.func.attr
        for node in ast.walk(cls)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name | ast.Call)
        and (
            (isinstance(node.func.value, ast.Name) and node.func.value.id == "self")
            or (isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "super")
        )
    }  # fmt: skip
    inherited = {name for name in called - own if hasattr(_PolicyAnalyzerServicer, name)}
    assert inherited, "the servicer calls none of the SDK's methods: the walk above is broken"
    assert inherited <= set(SERVICER_METHODS), inherited - set(SERVICER_METHODS)
    overridden = own & {n for n in dir(_PolicyAnalyzerServicer) if not n.startswith("__")}
    assert overridden <= set(SERVICER_METHODS), overridden - set(SERVICER_METHODS)


def test_every_private_attribute_the_servicer_reads_is_in_the_contract() -> None:
    source = SERVICER_PY.read_text(encoding="utf-8")
    assert "_PolicyAnalyzerServicer__" not in source  # only through private_attribute
    read = {
        node.args[1].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "private_attribute"
        and isinstance(node.args[1], ast.Constant)
    }
    assert read == set(SERVICER_ATTRIBUTES)


def test_a_different_version_is_named() -> None:
    assert contract_breaks(version="1.22.0") == ["version 1.22.0"]


def test_a_servicer_without_a_method_the_pack_uses_is_named() -> None:
    class Renamed(_PolicyAnalyzerServicer):
        _get_policy_config = None  # type: ignore[assignment]

    assert contract_breaks(servicer_class=Renamed) == ["Renamed._get_policy_config"]


def test_a_servicer_without_a_method_at_all_is_named_not_a_traceback() -> None:
    """A pulumi-policy whose servicer dropped a method the pack calls (not even inherited)."""
    methods = {k: v for k, v in vars(_PolicyAnalyzerServicer).items() if k != "_get_policy_config"}
    stripped = type("Stripped", _PolicyAnalyzerServicer.__bases__, methods)
    assert not hasattr(stripped, "_get_policy_config")
    assert contract_breaks(servicer_class=stripped) == ["Stripped._get_policy_config"]


def test_a_policy_pack_that_builds_its_servicer_another_way_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """serve() installs the pack's servicer where PolicyPack looks for its own: a PolicyPack
    that no longer looks there would serve the SDK's, which cannot tell secrets."""

    class OtherPolicyPack:
        def __init__(self, name: str) -> None:
            self.servicer = RequestScoped

    monkeypatch.setattr(servicer_contract, "PolicyPack", OtherPolicyPack)
    assert contract_breaks() == ["PolicyPack.__init__ no longer builds _PolicyAnalyzerServicer"]


def test_a_servicer_that_no_longer_keeps_the_stack_tags_is_named() -> None:
    class Forgetful(_PolicyAnalyzerServicer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            del self._PolicyAnalyzerServicer__stack_tags  # type: ignore[attr-defined]

    assert contract_breaks(servicer_class=Forgetful) == ["Forgetful.__stack_tags"]


def test_a_servicer_built_another_way_is_named() -> None:
    class NewConstructor(_PolicyAnalyzerServicer):
        def __init__(self, options: dict[str, Any]) -> None:
            super().__init__(**options)

    (found,) = contract_breaks(servicer_class=NewConstructor)
    assert found.startswith("NewConstructor(name, version, policies, level): ")


def test_the_request_fields_the_pack_reads_exist() -> None:
    for message, fields in REQUEST_FIELDS.items():
        known = {f.name for f in getattr(proto, message).DESCRIPTOR.fields}
        assert set(fields) <= known, (message, set(fields) - known)


def test_the_refusal_is_one_line_naming_the_version_and_the_fix() -> None:
    with pytest.raises(ServicerContractError) as refused:
        require_contract(version="1.22.0")
    message = str(refused.value)
    assert "\n" not in message
    assert "pulumi-policy 1.21.0" in message and "version 1.22.0" in message
    assert "pulumi-policy==1.21.0" in message and "servicer_contract.py" in message


def test_the_refusal_names_every_part_that_differs() -> None:
    class Renamed(_PolicyAnalyzerServicer):
        _get_policy_config = None  # type: ignore[assignment]

    with pytest.raises(ServicerContractError) as refused:
        require_contract(version="1.22.0", servicer_class=Renamed)
    assert "differs (version 1.22.0, Renamed._get_policy_config): install" in str(refused.value)


def test_the_served_pack_refuses_another_pulumi_policy_in_one_line() -> None:
    """The pack's entry point, as `python -m pulumi.policy` runs it, on a pulumi-policy that says
    it is another version: exit code 2, one line, no traceback, no port for the engine."""
    program = (
        "import runpy, pulumi_policy.version as v; v.VERSION = '1.22.0'; "
        "runpy.run_path('__main__.py', run_name='__main__')"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO / "policies",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: residency-guard's policy pack needs pulumi-policy 1.21.0")
    assert "version 1.22.0" in lines[0]


def test_request_scoped_keeps_the_request_for_the_length_of_the_call() -> None:
    seen: list[Any] = []

    def record(args: ResourceValidationArgs, report: ReportViolation) -> None:
        seen.append(current_request())

    servicer = RequestScoped(
        PACK_NAME, "0.1.0", [ResourceValidationPolicy("record", "Records.", record)],
        PACK_ENFORCEMENT,
    )  # fmt: skip
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": EU_URL})
    request = proto.AnalyzeRequest(
        type=resource_type, properties=struct(props), urn=urn(resource_type, "chat"), name="chat"
    )
    assert current_request() is None
    servicer.Analyze(request, None)
    assert seen == [request]
    assert current_request() is None


def test_the_module_names_its_private_imports_in_one_place() -> None:
    """No other module of the pack imports pulumi-policy's private servicer or its helpers."""
    pack = REPO / "policies" / "residency_pack"
    for path in pack.glob("*.py"):
        if path.name == "servicer_contract.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "_PolicyAnalyzerServicer__" not in text, path.name
        assert "_NotApplicableError" not in text, path.name
        assert "sys._getframe" not in text, path.name
    assert servicer_contract.SDK_SERVICER is _PolicyAnalyzerServicer
