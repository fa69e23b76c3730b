"""Data categories (fideslang-compatible keys): load, match, suggest.

A category covers itself and every key below it, so a rule on `user.contact`
covers `user.contact.email`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

import yaml

from privlint.packs import builtin_pack
from privlint.yamlpos import FAST_LOADER


def covers(rule_category: str, data_category: str) -> bool:
    """True when `data_category` is `rule_category` or one of its descendants."""
    return data_category == rule_category or data_category.startswith(rule_category + ".")


@dataclass(frozen=True)
class Taxonomy:
    descriptions: dict[str, str]
    hints: dict[str, str]
    source: str
    attribution: str

    def __contains__(self, key: object) -> bool:
        return key in self.descriptions

    def keys(self) -> list[str]:
        return sorted(self.descriptions)

    def suggest(self, unknown: str) -> str | None:
        """The most likely intended key for a mistyped one, or None."""
        leaf = unknown.rsplit(".", 1)[-1].lower()
        if leaf in self.hints:
            return self.hints[leaf]
        leaves = {key: key.rsplit(".", 1)[-1] for key in self.descriptions}
        same_leaf = [key for key, key_leaf in leaves.items() if key_leaf == leaf]
        if same_leaf:
            return min(same_leaf, key=len)
        prefixed = [key for key, key_leaf in leaves.items() if key_leaf.startswith(leaf)]
        if prefixed and len(leaf) >= 3:
            return min(prefixed, key=len)
        close = difflib.get_close_matches(unknown, self.keys(), n=1, cutoff=0.6)
        return close[0] if close else None

    def unknown_message(self, unknown: str) -> str:
        suggestion = self.suggest(unknown)
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        return f"unknown data category '{unknown}'{hint}"


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The taxonomy shipped in `rules/taxonomy.yaml`."""
    pack = builtin_pack("taxonomy")
    if pack is None:  # a broken installation, not a user error
        raise RuntimeError("privlint's rules/taxonomy.yaml is missing from the installation")
    data = yaml.load(pack.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    return Taxonomy(
        descriptions={entry["key"]: entry["description"] for entry in data["categories"]},
        hints=dict(data.get("hints", {})),
        source=data["source"],
        attribution=data["attribution"],
    )
