"""The prefilter: files that cannot hold personal data are never parsed, and it changes no finding.

Only files whose words match a heuristic, a configured field or lookup, or that
carry a `pii:`/`privlint:` comment are parsed up front; the rest are loaded when
a flow calls into them or when they name something analysed code hands
personal data out under. The findings must be exactly those of a scan that
parses everything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from typer.testing import CliRunner

from privlint.cli import app
from privlint.config import load_policy
from privlint.findings import Finding
from privlint.policy import Policy
from privlint.prefilter import Prefilter
from privlint.scan import ScanResult, scan

PROJECTS = [
    *sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir()),
    FIXTURES / "engine",
    FIXTURES / "report_project",
    REPO / "examples" / "walletapp",
]
QUIET = FIXTURES / "projects" / "quiet_modules"


def _policy(root: Path) -> Policy:
    config = root / "privlint.yaml"
    return load_policy(config if config.exists() else None, root)


def _scan(root: Path, prefilter: bool) -> ScanResult:
    return scan(_policy(root), [], jobs=1, use_cache=False, prefilter=prefilter)


def _identity(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.rule_id, f.path, f.line, f.column, f.categories, f.trace) for f in findings]


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_prefiltered_scan_finds_exactly_what_a_full_parse_finds(root: Path) -> None:
    filtered, full = _scan(root, True), _scan(root, False)
    assert _identity(filtered.findings) == _identity(full.findings)
    assert [a.path for a in filtered.allowed] == [a.path for a in full.allowed]
    assert full.stats.prefiltered_out == 0


def test_files_naming_no_personal_data_are_parsed_only_when_a_flow_needs_them() -> None:
    result = _scan(QUIET, True)
    # models.py and notify.py are seeds; store, views, shouting, orders and checkout are loaded
    # for the flows; __init__.py, unrelated.py and archive.py are never parsed.
    assert (result.stats.parsed, result.stats.prefiltered_out, result.stats.on_demand) == (7, 8, 5)
    assert {(f.rule_id, f.path) for f in result.findings} == {
        ("no-pii-in-logs", "shop/views.py"),
        ("no-pii-to-stdout", "shop/shouting.py"),
        ("no-pii-in-logs", "shop/checkout.py"),
    }


@pytest.fixture(scope="module")
def prefilter() -> Prefilter:
    return Prefilter.of(_policy(QUIET))


@pytest.mark.parametrize(
    "source",
    [
        b"def f(customer_email):\n    pass\n",
        b"def f(row):\n    return row.phoneNumber\n",  # camelCase is split
        b"value = data.get('date_of_birth')\n",
        b"def f(zip):\n    return zip\n",  # the builtin's name used as a parameter
        b"x = 1  # pii: user.name\n",
        b"x = 1  # privlint: ignore[no-pii-in-logs] reviewed\n",
        b"def f(:\n",  # CPython rejects it: only LibCST's verdict counts
        "def f(téléphone, mobile):\n    pass\n".encode(),
        b"def f(msg):\n    return msg.get('from')\n",  # a mail's address header
        b"def f(msg):\n    return msg['Reply-To']\n",
        b"def f(msg):\n    return msg.sender\n",
    ],
)
def test_seeds(prefilter: Prefilter, source: bytes) -> None:
    assert prefilter.facts(source).seed


@pytest.mark.parametrize(
    "source",
    [
        b"def total(prices):\n    return sum(prices)\n",
        b"for a, b in zip(xs, ys):\n    print(a, b)\n",  # the builtin, called
        b"def f(is_email, email_count, phone_id):\n    pass\n",  # flags, counters and ids
        b"def f(msg):\n    return msg['Subject']\n",  # not an address header
        b"",
    ],
)
def test_not_seeds(prefilter: Prefilter, source: bytes) -> None:
    assert not prefilter.facts(source).seed


def test_a_literal_key_is_matched_as_a_whole() -> None:
    custom = Prefilter((("^customer-phone$", False),), ())
    assert custom.facts(b"value = row['customer-phone']\n").seed
    assert not custom.facts(b"value = row['customer']\n").seed


def test_configured_fields_and_lookups_make_seeds() -> None:
    configured = Prefilter((), ("contact_no", "Ledger", "fetch_owner"))
    assert configured.facts(b"print(c.contact_no)\n").seed
    assert configured.facts(b"class Ledger:\n    pass\n").seed
    assert configured.facts(b"x = crm.fetch_owner(1)\n").seed
    assert not configured.facts(b"x = crm.fetch(1)\n").seed


def _configured_parts(root: Path, policy: str) -> tuple[str, ...]:
    """The seed words of the policy `policy` (YAML text) in `root`."""
    (root / "privlint.yaml").write_text(policy, encoding="utf-8")
    return Prefilter.of(load_policy(root / "privlint.yaml", root)).last_parts


def test_distinctive_parts_of_configured_patterns(tmp_path: Path) -> None:
    parts = _configured_parts(
        tmp_path,
        "version: 1\n"
        "pii:\n"
        "  fields:\n"
        "    'crm.Customer.*': user.contact.phone_number\n"
        "  returns:\n"
        "    'crm.lookup_owner': user.name\n",
    )
    # the project's own, then those of builtin:frameworks (Django's User.username, password;
    # the payment providers' retrieve and construct_event calls)
    assert {"Customer", "lookup_owner", "username", "retrieve"} <= set(parts)
    assert "find" not in parts  # a word that common would make most files seeds


def test_fields_of_a_type_calls_make_are_reached_through_those_calls(tmp_path: Path) -> None:
    parts = _configured_parts(
        tmp_path,
        "version: 1\n"
        "types:\n"
        "  - calls: ['vendor.Client.fetch_order']\n"
        "    returns: vendor.Response\n"
        "pii:\n"
        "  fields:\n"
        "    'vendor.Response.data': user.contact\n",
    )
    assert "fetch_order" in parts
    assert "data" not in parts  # `response.data` is in most files; the call is where it enters


def test_a_broken_file_is_a_seed_with_its_error(prefilter: Prefilter) -> None:
    facts = prefilter.facts(b"x = 1\x00\n")
    assert facts.seed and facts.error is not None


def test_stats_report_where_the_files_went(tmp_path: Path) -> None:
    project = tmp_path / "quiet"
    shutil.copytree(QUIET, project)
    result = CliRunner().invoke(app, ["check", str(project), "--stats", "--quiet"])
    assert result.exit_code == 1
    stats = dict(
        line.removeprefix("privlint stats: ").rsplit(": ", 1)
        for line in result.stderr.splitlines()
        if line.startswith("privlint stats: ") and not line.endswith(" s")
    )
    assert stats["files discovered"] == "10"
    assert stats["prefiltered out (no personal data of their own)"] == "8"
    assert stats["loaded on demand (the analysis reached them)"] == "5"
    assert stats["files analysed (their summaries read)"] == "7"
    assert stats["previous result reused"] == "no"
    again = CliRunner().invoke(app, ["check", str(project), "--stats", "--quiet"])
    assert "privlint stats: previous result reused: yes\n" in again.stderr
    store = project / "shop" / "store.py"  # read by the analysis
    store.write_text("# reviewed\n" + store.read_text())
    edited = CliRunner().invoke(app, ["check", str(project), "--stats", "--quiet"])
    assert "previous result reused: yes, re-located" in edited.stderr
    cold = CliRunner().invoke(app, ["check", str(project), "--quiet", "--no-cache"])
    assert edited.stdout == cold.stdout != result.stdout  # store.py's lines moved down


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefiltered", "full"])
def test_a_module_shadowed_by_a_package_is_still_analysed(tmp_path: Path, prefilter: bool) -> None:
    leak = "import logging\n\n\ndef {name}({param}):\n    logging.info({param})\n"
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg.py").write_text(leak.format(name="a", param="email"))
    (tmp_path / "pkg" / "__init__.py").write_text(leak.format(name="b", param="phone"))
    result = _scan(tmp_path, prefilter)
    assert sorted(f.path for f in result.findings) == ["pkg.py", "pkg/__init__.py"]
