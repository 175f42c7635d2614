"""One exception root for the product; the CLI turns any of them into one line and exit 2."""

from __future__ import annotations


class ResidencyGuardError(Exception):
    """A problem with an input or a setting that the user must fix.

    ``str(error)`` is one line: ``<file>:<line>: <what is wrong>; <fix>``.
    """

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, fix: str = ""
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        text = f"{where}{self.message}"
        if self.fix:
            text += f"; {self.fix}"
        # A message is one line whatever went into it (a YAML error may carry newlines), and
        # never a key, whatever it quotes (a file name, an alias, a tag): redacted at the root.
        from residency_guard.redact import redact

        return redact(" ".join(text.split()))


class InputError(ResidencyGuardError):
    """A file that cannot be read or parsed as what it claims to be."""


class CatalogError(ResidencyGuardError):
    """A catalog file (shipped or a team's overlay) that does not match the schema."""


class ConfigError(ResidencyGuardError):
    """A malformed repo config file or a bad command-line setting."""


class UnknownRegionError(ConfigError):
    """A region id that the catalog does not know."""
