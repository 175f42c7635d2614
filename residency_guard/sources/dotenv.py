"""``.env`` files: the variables a workload starts with."""

from __future__ import annotations

import dataclasses
import io
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from dotenv.parser import parse_stream

from residency_guard.envblocks import block_of_values
from residency_guard.sources.document import Document, Subject
from residency_guard.sources.files import MAX_DOTENV_BYTES, read_text
from residency_guard.stackregion import Declaration, RegionSource
from residency_guard.texts import mentions_openai
from residency_guard.values import Value

# The dotenv sink writes the region it was built for; a hand-written file may say it too.
REGION_VARIABLE = "RESIDENCY_GUARD_REGION"
REGION_COMMENT = "# residency-guard:region:"
# The dotenv sink's second line. Its file is a key store by design (mode 0600, rewritten by
# `pulumi up`): the key in it is not a plaintext leak unless others can read the file.
GENERATED_MARKER = "# Written by residency-guard"
# The line breaks python-dotenv counts (dotenv.parser._newline).
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def parse_dotenv(text: str) -> tuple[list[Value], list[tuple[str, int]]]:
    """``KEY=value`` bindings as values, read by python-dotenv's own parser (what a Python
    workload loads), and the regions the file declares.

    Lines end where python-dotenv ends them (``\\r\\n``, ``\\n``, ``\\r``): U+2028, U+2029 and
    U+0085 stay inside a value, as they do for the client that reads it. A binding python-dotenv
    cannot parse (an unclosed quote) is still judged on its raw text after ``=``.
    """
    values: list[Value] = []
    regions: list[tuple[str, int]] = []
    for binding in parse_stream(io.StringIO(text)):
        string = binding.original.string
        body = string.lstrip()
        skipped = string[: len(string) - len(body)]
        # The binding's own line: python-dotenv marks it where the blank lines before it start.
        number = binding.original.line + len(_LINE_BREAK.findall(skipped))
        line = _LINE_BREAK.split(body, maxsplit=1)[0]
        indent = len(_LINE_BREAK.split(skipped)[-1])  # spaces before the key on its line
        if binding.key is None and not binding.error:
            if line.strip().lower().startswith(REGION_COMMENT):
                regions.append((line.strip()[len(REGION_COMMENT) :].strip(), number))
            continue
        if binding.error:  # an unclosed quote: no binding to python-dotenv; others may read one
            if line.startswith("#") or "=" not in line:
                continue
            key, _, rest = line.removeprefix("export ").partition("=")
            key, value = key.strip(), rest.strip()
        elif binding.value is None:  # `KEY` alone: nothing is set
            continue
        else:
            key, value = str(binding.key), binding.value
        column = indent + line.find("=") + 2
        values.append(Value((key,), value, key, number, column))
        if key == REGION_VARIABLE:
            regions.append((value, number))
    return values, regions


def is_private_sink_file(path: Path, text: str) -> bool:
    """A file the dotenv sink wrote that only its owner can read."""
    if GENERATED_MARKER not in text[:4096]:
        return False
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    except OSError:
        return False


def read_dotenv(path: Path, held: Sequence[Declaration] = (), text: str | None = None) -> Document:
    """A dotenv file's variables, held to the region it declares, or ``held`` (``paths:``, the
    ``stacks:`` claims on the stack its name names, ``--region``); its region matters only if
    it holds OpenAI settings."""
    file = str(path)
    text = read_text(path, MAX_DOTENV_BYTES) if text is None else text
    values, regions = parse_dotenv(text)
    if is_private_sink_file(path, text):
        values = [dataclasses.replace(v, secret=True) for v in values]
    declarations = [
        Declaration(region, RegionSource.STACK_CONFIG, f"{file}:{line}", line, file)
        for region, line in regions
    ]
    declarations.extend(held)
    openai_related = any(
        mentions_openai(v.text) or v.name.upper().startswith("OPENAI") for v in values
    )
    return Document(
        Subject(path.name), file, "dotenv", values, declarations=declarations,
        env_blocks=[block_of_values(values)], judge_stack=openai_related,
    )  # fmt: skip
