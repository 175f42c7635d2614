"""``catalog diff``: the catalog's models for a region against what the live endpoint lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from residency_guard.catalog.model import Catalog, Region


@dataclass(frozen=True)
class CatalogDiff:
    """``missing``: listed by the catalog, not served; ``extra``: served, not in the catalog."""

    region: str
    endpoint: str
    catalog_version: str
    missing: Mapping[str, tuple[str, ...]]  # model -> the surfaces the catalog lists it for
    extra: tuple[str, ...]
    served: int

    @property
    def equal(self) -> bool:
        return not self.missing and not self.extra

    def to_dict(self) -> dict[str, object]:
        return {
            "region": self.region,
            "endpoint": self.endpoint,
            "catalog_version": self.catalog_version,
            "equal": self.equal,
            "missing": [{"model": m, "surfaces": list(s)} for m, s in self.missing.items()],
            "extra": list(self.extra),
            "served": self.served,
        }

    def render_text(self) -> str:
        head = f"catalog {self.catalog_version} vs {self.endpoint} (region {self.region})"
        if self.equal:
            return f"{head}\nequal: the endpoint serves exactly the {self.served} models listed\n"
        lines = [head]
        if self.missing:
            lines.append(
                f"missing: {len(self.missing)} listed by the catalog for {self.region}, "
                "not served by the endpoint"
            )
            lines += [f"  - {m} ({', '.join(s)})" for m, s in self.missing.items()]
        if self.extra:
            lines.append(
                f"extra: {len(self.extra)} served by the endpoint, not listed by the catalog "
                f"for {self.region}"
            )
            lines += [f"  + {m}" for m in self.extra]
        return "\n".join(lines) + "\n"


def diff_models(
    catalog: Catalog, region: Region, served: Iterable[str], endpoint: str
) -> CatalogDiff:
    listed: dict[str, set[str]] = {}
    for surface, models in region.models.items():
        for model in models:
            listed.setdefault(model, set()).add(surface)
    live = set(served)
    missing = {m: tuple(sorted(listed[m])) for m in sorted(listed) if m not in live}
    extra = tuple(sorted(live - listed.keys()))
    return CatalogDiff(region.id, endpoint, catalog.version, missing, extra, len(live))
