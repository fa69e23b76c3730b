"""`privlint inventory`: the data map a privacy review reads (SPEC §5)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from privlint.cli import app
from privlint.findings import AllowedFlow, Finding, Severity
from privlint.inventory import build_inventory
from privlint.reporters.inventory import (
    CSV_COLUMNS,
    render_inventory_markdown,
    render_inventory_table,
)

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
    leak = [row for row in rows if "walletapp/support/agent_tools.py:29" in row]
    allowed = [row for row in rows if "walletapp/notifications/service.py:23" in row]
    assert len(leak) == 1 and len(allowed) == 1, markdown
    for row in (leak[0], allowed[0]):
        assert "`user.contact.phone_number`" in row
        assert "| messaging |" in row
        assert "whatsapp (WhatsAppClient.send_message)" in row
    assert f"reported by {RULE}" in leak[0]
    assert f"allowed by {RULE}: {REASON}" in allowed[0]
    assert "walletapp.notifications.service.send_payment_receipt" in allowed[0]


def test_walletapp_json_follows_category_kind_sink_locations() -> None:
    document = json.loads(inventory_of_walletapp("json"))
    assert document["version"] == 1
    assert document["summary"] == {
        "files_scanned": 12,
        "flows": 2,
        "reported": 1,
        "allowed": 1,
        "suppressed": 0,
        "unparsed": [],
    }
    (category,) = document["categories"]
    assert category["category"] == "user.contact.phone_number"
    (kind,) = category["sink_kinds"]
    assert kind["kind"] == "messaging"
    (sink,) = kind["sinks"]
    assert (sink["id"], sink["call"]) == ("whatsapp", "WhatsAppClient.send_message")
    flows = {flow["status"]: flow for flow in sink["flows"]}
    assert flows["allowed"]["reason"] == REASON
    assert flows["reported"]["path"] == "walletapp/support/agent_tools.py"
    assert flows["reported"]["line"] == 29
    assert flows["reported"]["rule_id"] == RULE


def test_walletapp_csv_has_a_header_and_one_row_per_flow() -> None:
    rows = list(csv.DictReader(io.StringIO(inventory_of_walletapp("csv"))))
    assert rows and tuple(rows[0]) == CSV_COLUMNS
    assert {(row["status"], row["path"], row["reason"]) for row in rows} == {
        ("allowed", "walletapp/notifications/service.py", REASON),
        ("reported", "walletapp/support/agent_tools.py", ""),
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
