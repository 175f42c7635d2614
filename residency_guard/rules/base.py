"""The shape every rule has: a stable ID, a title, a severity, documentation, hooks, and the
front ends that report it."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import ClassVar, TypeVar

from residency_guard.context import Resource, StackContext
from residency_guard.envblocks import EnvBlock
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.redact import redact
from residency_guard.values import Value, dotted


class FrontEnd(str, Enum):
    """A gate beside the CLI, which reports every rule."""

    PACK = "pack"
    CHECKOV = "checkov"


class InputKind(str, Enum):
    """What a rule finds something in: a kind of file the CLI and checkov read, or a resource
    as the pack sees it."""

    STACK_FILE = "stack-file"  # Pulumi.<stack>.yaml, with the ESC environments it imports
    PROJECT = "project"  # Pulumi.yaml: config defaults, a YAML program's resources
    PULUMI_JSON = "pulumi-json"  # preview, state export, checkpoint, event log
    DOTENV = "dotenv"
    CONFIG_FILE = "config-file"  # a file held to a region (Kubernetes, Helm, compose, ...)
    RESOURCE = "resource"  # a resource's inputs and outputs in the pack
    OTHER = "other"  # any other YAML or JSON: checkov reads it for keys


# What a rule that says nothing finds things in: wherever a stack's values are.
STACK_INPUTS = frozenset(InputKind) - {InputKind.OTHER}


@dataclass(frozen=True)
class Exemption:
    """Why a rule is in no check of a front end: a by-design difference of ``parity.py``."""

    front_end: FrontEnd
    difference: str  # the name of a ``residency_guard.parity.Difference`` of that gate


class Rule:
    """A rule. Subclasses set the class attributes and override the hooks they need.

    The docstring of a subclass is its documentation (``residency-guard explain``,
    ``docs/rules.md``), in ruff's sections: What it does, Why is this bad?, Example,
    Use instead, References.
    """

    id: ClassVar[str]
    name: ClassVar[str]  # kebab-case, for people and SARIF
    title: ClassVar[str]
    severity: ClassVar[Severity]
    source_url: ClassVar[str]
    tags: ClassVar[tuple[str, ...]] = ()
    # The facets of a value check_value reads (residency_guard.facets): it is not called on
    # values with none of them. ALL for a rule that does not say.
    reads: ClassVar[Facet] = Facet.ALL
    # Front ends (tests/core/test_rule_front_ends.py holds every rule to one or an exemption).
    inputs: ClassVar[frozenset[InputKind]] = STACK_INPUTS
    # The pack's policies that report it (policies/residency_pack builds its tables from these).
    pack_policies: ClassVar[tuple[str, ...]] = ()
    # Its checkov check's name, "Ensure ..." (id: checkov_id); one yaml and one json check.
    checkov_name: ClassVar[str] = ""
    exemptions: ClassVar[tuple[Exemption, ...]] = ()

    @property
    def checkov_id(self) -> str:
        """``CKV_RG_<n>``; "" for a rule with no checkov check (``checkov_name`` unset)."""
        return f"CKV_RG_{int(self.id[2:])}" if self.checkov_name else ""

    @classmethod
    def exemption(cls, front_end: FrontEnd) -> Exemption | None:
        """Why the rule is not in ``front_end``, if it says."""
        return next((e for e in cls.exemptions if e.front_end is front_end), None)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of the "What it does" section."""
        doc = cls.documentation()
        body = doc.split("## What it does", 1)[-1].strip().split("\n\n", 1)[0]
        return " ".join(body.split())

    def check_value(self, value: Value, ctx: StackContext) -> Iterable[Finding]:
        return ()

    def check_resource(self, resource: Resource, ctx: StackContext) -> Iterable[Finding]:
        return ()

    def check_stack(self, ctx: StackContext) -> Iterable[Finding]:
        return ()

    def check_env(self, block: EnvBlock, ctx: StackContext) -> Iterable[Finding]:
        """The variables one process receives together (``residency_guard.envblocks``)."""
        return ()

    def finding(
        self,
        ctx: StackContext,
        message: str,
        fix: str,
        *,
        value: Value | None = None,
        file: str | None = None,
        line: int = 0,
        column: int = 0,
        key_path: tuple[str | int, ...] = (),
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule; every text it carries is redacted here, once for every front
        end (a key can stand in a message, a key name in the path, a region id, a file name)."""
        where = value.path if value is not None else key_path
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            file=redact(file if file is not None else ctx.file),
            line=value.line if value is not None else line,
            column=value.column if value is not None else column,
            message=redact(message),
            fix=redact(fix),
            stack=redact(ctx.stack),
            region=redact(ctx.region_id or ""),
            path=redact(dotted(where)),
            key_path=where,
        )


R = TypeVar("R", bound=Rule)


def build_registry(classes: Iterable[type[R]]) -> Mapping[str, R]:
    """One instance per rule class, by ID; a second class under one ID is refused."""
    rules: dict[str, R] = {}
    for cls in classes:
        if cls.id in rules:  # IDs are a public contract: never two rules under one
            raise RuntimeError(f"duplicate rule id {cls.id}: {cls.__name__}")
        rules[cls.id] = cls()
    return MappingProxyType(dict(sorted(rules.items())))


def quote(text: str, limit: int = 80) -> str:
    """A value as a message quotes it: redacted, one line, not too long."""
    flat = " ".join(redact(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def stack_label(ctx: StackContext) -> str:
    region = (ctx.region_id or "?").upper()
    return f"{region} stack '{ctx.stack}'" if ctx.stack else f"{region} stack"
