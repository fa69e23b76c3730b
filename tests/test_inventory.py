"""`privlint inventory`: the data map a privacy review reads (SPEC §5)."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from pathlib import Path

import pytest
from report_samples import assert_matches_golden
from typer.testing import CliRunner, Result

from privlint.cli import app
from privlint.config import load_policy
from privlint.findings import AllowedFlow, Finding, Severity
from privlint.inventory import build_inventory, module_of
from privlint.reporters.inventory import (
    CSV_COLUMNS,
    INVENTORY_FORMATS,
    render_inventory_markdown,
    render_inventory_table,
)
from privlint.reporters.mermaid import render_mermaid
from privlint.scan import scan

REPO = Path(__file__).parent.parent
WALLETAPP = REPO / "examples" / "walletapp"
REASON = "the sanctioned notification service, with consent checks"
RULE = "messaging-only-via-notifications"


def privlint(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def inventory_of_walletapp(fmt: str) -> str:
    result = privlint("inventory", str(WALLETAPP), "--format", fmt)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_walletapp_markdown_lists_the_whatsapp_leak_and_the_allowed_flow() -> None:
    markdown = inventory_of_walletapp("markdown")
    rows = [line for line in markdown.splitlines() if line.startswith("| `user.")]
    leak = [row for row in rows if "`walletapp/support/agent_tools.py:29`" in row]
    allowed = [row for row in rows if "`walletapp/notifications/service.py:23`" in row]
    assert len(leak) == 1 and len(allowed) == 1, markdown
    for row in (leak[0], allowed[0]):
        assert row.startswith("| `user.contact.phone_number` | WhatsApp | ")
        assert "via `whatsapp (WhatsAppClient.send_message)`" in row
    assert f"reported by {RULE}" in leak[0]
    assert "| `walletapp.support.agent_tools` |" in leak[0]
    assert f"allowed by {RULE}: {REASON}" in allowed[0]
    assert "in `send_payment_receipt`" in allowed[0]
    assert "| WhatsApp | processor | `user.contact.phone_number` |" in markdown


def test_walletapp_json_is_a_record_of_processing() -> None:
    document = json.loads(inventory_of_walletapp("json"))
    assert document["version"] == 2
    assert document["summary"] == {
        "files_scanned": 12,
        "flows": 2,
        "reported": 1,
        "allowed": 1,
        "suppressed": 0,
        "unparsed": [],
    }
    assert document["recipients"] == [
        {
            "name": "WhatsApp",
            "type": "processor",
            "sink_kinds": ["messaging"],
            "categories": ["user.contact.phone_number"],
            "modules": ["walletapp.notifications.service", "walletapp.support.agent_tools"],
        }
    ]
    records = {record["status"]: record for record in document["processing"]}
    assert records["allowed"]["reason"] == REASON
    assert records["allowed"]["module"] == "walletapp.notifications.service"
    leak = records["reported"]
    assert (leak["category"], leak["recipient"], leak["rule_id"]) == (
        "user.contact.phone_number",
        "WhatsApp",
        RULE,
    )
    (location,) = leak["locations"]
    assert (location["path"], location["line"], location["sink_id"]) == (
        "walletapp/support/agent_tools.py",
        29,
        "whatsapp",
    )


def test_walletapp_csv_has_a_header_and_one_row_per_flow() -> None:
    rows = list(csv.DictReader(io.StringIO(inventory_of_walletapp("csv"))))
    assert rows and tuple(rows[0]) == CSV_COLUMNS
    assert {(row["status"], row["path"], row["recipient"], row["reason"]) for row in rows} == {
        ("allowed", "walletapp/notifications/service.py", "WhatsApp", REASON),
        ("reported", "walletapp/support/agent_tools.py", "WhatsApp", ""),
    }


def test_walletapp_table_shows_the_flows_and_the_reason() -> None:
    table = inventory_of_walletapp("table")
    assert "2 flows of personal data to sinks in 12 files: 1 reported, 1 allowed" in table
    assert "walletapp/support/agent_tools.py:29" in table
    assert "in message_customer" in table
    assert REASON in table
    assert "\x1b[" not in table
    assert all(line == line.rstrip() for line in table.splitlines())


def test_explicit_files_narrow_the_inventory_to_them() -> None:
    tool = WALLETAPP / "walletapp" / "support" / "agent_tools.py"
    result = privlint("inventory", str(tool), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["status"], row["path"]) for row in rows] == [
        ("reported", "walletapp/support/agent_tools.py")
    ]


def test_inventory_output_option_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "inventory.md"
    result = privlint("inventory", str(WALLETAPP), "--format", "markdown", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert REASON in target.read_text(encoding="utf-8")


def test_inventory_lists_every_sink_kind_and_every_category(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "privlint.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            import logging

            import requests


            def signup(email, phone_number):
                logging.info("new %s %s", email, phone_number)
                print(email)
                requests.post("https://crm.example.com", json={"email": email})
            """
        ),
        encoding="utf-8",
    )
    result = privlint("inventory", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(row["category"], row["sink_kind"]) for row in rows} == {
        ("user.contact.email", "logging"),
        ("user.contact.phone_number", "logging"),
        ("user.contact.email", "stdout"),
        ("user.contact.email", "http"),
    }


def flow_finding(path: str, categories: tuple[str, ...]) -> Finding:
    return Finding(
        rule_id="no-pii-in-logs",
        severity=Severity.ERROR,
        message="m",
        path=path,
        line=3,
        column=0,
        sink_id="stdlib-logging",
        sink_kind="logging",
        sink_call="logger.info",
        function="pkg.mod.Signup.run",
        categories=categories,
    )


def test_findings_without_a_sink_are_not_flows_but_parse_errors_are_noted() -> None:
    findings = [
        flow_finding("pkg/mod.py", ("user.contact.email",)),
        Finding("parse-error", Severity.ERROR, "bad", "pkg/broken.py", 1, 0),
        Finding("unused-suppression", Severity.WARNING, "unused", "pkg/mod.py", 9, 0),
    ]
    inventory = build_inventory(findings, [], tool_version="0", files_scanned=3, suppressed=2)
    assert [flow.path for flow in inventory.flows] == ["pkg/mod.py"]
    assert inventory.unparsed == ("pkg/broken.py",)
    markdown = render_inventory_markdown(inventory)
    assert "2 findings hidden by `# privlint: ignore` comments are not listed" in markdown
    assert "could not be parsed and were not read: pkg/broken.py" in markdown
    assert "in Signup.run" in render_inventory_table(inventory)


def test_markdown_cells_escape_pipes() -> None:
    allowed = AllowedFlow(
        "no-pii-in-logs",
        "a.py",
        1,
        "a.f",
        "stdlib-logging",
        "logging",
        ("user.name",),
        "audit | retained 90 days",
        "logger.info",
    )
    markdown = render_inventory_markdown(
        build_inventory([], [allowed], tool_version="0", files_scanned=1)
    )
    assert "audit \\| retained 90 days" in markdown


def test_every_format_is_deterministic() -> None:
    for fmt in ("table", "json", "csv", "markdown"):
        assert inventory_of_walletapp(fmt) == inventory_of_walletapp(fmt)


DATA_MAP = REPO / "tests" / "fixtures" / "inventory_project"
GOLDEN = REPO / "tests" / "golden"


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("table", "inventory.txt"), ("json", "inventory.json"), ("csv", "inventory.csv"),
     ("markdown", "inventory.md")],
)  # fmt: skip
def test_data_map_matches_golden(fmt: str, golden: str) -> None:
    policy = load_policy(DATA_MAP / "privlint.yaml", DATA_MAP)
    result = scan(policy, [], use_cache=False)
    inventory = build_inventory(
        result.findings,
        result.allowed,
        tool_version="0.0.0-test",  # the goldens outlive releases
        files_scanned=result.files_scanned,
        processors={sink.id: sink.processor for sink in policy.sinks if sink.processor},
    )
    assert_matches_golden(INVENTORY_FORMATS[fmt](inventory), GOLDEN / golden)


def test_data_map_names_processors_first_then_unnamed_third_parties_then_internal_sinks() -> None:
    document = json.loads(privlint("inventory", str(DATA_MAP), "--format", "json").stdout)
    recipients = [(r["name"], r["type"]) for r in document["recipients"]]
    assert recipients == [
        ("OpenAI", "processor"),  # a sink of the project's policy, with `processor:`
        ("Sentry", "processor"),  # sinks of the built-in pack
        ("Twilio", "processor"),
        ("unnamed third party (http)", "third_party"),  # requests.post names no processor
        ("internal (logging)", "internal"),
    ]
    twilio = document["recipients"][2]
    assert twilio["categories"] == ["user.contact.phone_number", "user.name"]


def test_mermaid_chart_links_categories_to_modules_to_recipients() -> None:
    markdown = privlint("inventory", str(DATA_MAP), "--format", "markdown").stdout
    chart = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    nodes = dict(re.findall(r'^\s+(\w+)\W*"([^"]+)"', chart, re.M))
    edges = {
        (nodes[a], label or "", nodes[b])
        for a, label, b in re.findall(r"^\s+(\w+) -[.-]*>(?:\|(\w+)\|)? (\w+)$", chart, re.M)
    }
    assert ("user.name", "", "shop.gateway") in edges
    assert ("shop.gateway", "allowed", "Twilio") in edges  # the phone number
    assert ("shop.gateway", "reported", "Twilio") in edges  # the name in the same message
    assert ("shop.assistant", "reported", "OpenAI") in edges
    assert ("shop.audit", "allowed", "internal (logging)") in edges


def test_mermaid_labels_cannot_break_the_chart() -> None:
    allowed = AllowedFlow(
        "r", "a.py", 1, "a.f", "vendor", "http", ("user.name",), "ok", "vendor.send"
    )
    inventory = build_inventory(
        [], [allowed], tool_version="0", files_scanned=1, processors={"vendor": 'A "B" <C> #1'}
    )
    assert 'r1[["A #quot;B#quot; #lt;C#gt; #35;1"]]' in render_mermaid(inventory)


@pytest.mark.parametrize(
    ("function", "path", "module"),
    [
        ("pkg.mod.Signup.run", "src/pkg/mod.py", "pkg.mod"),
        ("pkg.mod", "pkg/mod.py", "pkg.mod"),  # module-level code
        ("pkg.helper", "pkg/__init__.py", "pkg"),
        ("", "scripts/run.py", "scripts.run"),
    ],
)
def test_module_is_the_function_prefix_the_path_ends_with(
    function: str, path: str, module: str
) -> None:
    assert module_of(function, path) == module


def test_sink_processor_is_a_name(tmp_path: Path) -> None:
    (tmp_path / "privlint.yaml").write_text(
        'version: 1\nsinks:\n  - {id: crm, kind: http, calls: ["crm.send"], processor: ""}\n',
        encoding="utf-8",
    )
    result = privlint("inventory", "--config", str(tmp_path / "privlint.yaml"))
    assert result.exit_code == 2
    assert "sinks[0].processor: must not be empty" in result.output


def test_readme_shows_the_walletapp_chart() -> None:
    markdown = inventory_of_walletapp("markdown")
    chart = markdown[markdown.index("```mermaid") :]
    chart = chart[: chart.index("\n```\n") + 5]
    assert chart in (REPO / "README.md").read_text(encoding="utf-8")


def test_mermaid_groups_modules_into_packages_when_the_chart_is_too_big_to_draw() -> None:
    flows = [
        AllowedFlow(
            "r", f"shop/a{i}/v{j}.py", 1, f"shop.a{i}.v{j}.f", "s", "logging", ("user.name",), "ok"
        )
        for i in range(10)
        for j in range(30)
    ]
    chart = render_mermaid(build_inventory([], flows, tool_version="0", files_scanned=300))
    assert "%% modules grouped by the first 2 parts of their names" in chart
    modules = re.findall(r'^\s+m\d+\["([^"]+)"\]$', chart, re.M)
    assert modules == [f"shop.a{i}" for i in range(10)]
    small = render_mermaid(build_inventory([], flows[:3], tool_version="0", files_scanned=3))
    assert "%%" not in small
    assert re.findall(r'^\s+m\d+\["([^"]+)"\]$', small, re.M) == [
        "shop.a0.v0",
        "shop.a0.v1",
        "shop.a0.v2",
    ]
