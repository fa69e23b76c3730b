"""The shipped example tells SPEC's story; these tests keep it true."""

from __future__ import annotations

import shutil
from pathlib import Path

from annotations import read_annotations
from conftest import REPO, scan_project

EXAMPLE = REPO / "examples" / "walletapp"
LEAK = "walletapp/support/agent_tools.py"


def test_example_reports_exactly_its_annotated_findings() -> None:
    expected, clean = read_annotations(EXAMPLE)
    found = {(f.rule_id, f.path, f.line) for f in scan_project(EXAMPLE)}
    assert found == expected
    assert not found & clean


def test_whatsapp_leak_shows_the_shortest_real_trace() -> None:
    (finding,) = scan_project(EXAMPLE)
    assert finding.rule_id == "messaging-only-via-notifications"
    assert finding.function == "walletapp.support.agent_tools.message_customer"
    assert finding.categories == ("user.contact.phone_number",)
    assert [(step.path, step.note) for step in finding.trace] == [
        ("walletapp/crm.py", "returned by lookup_customer()"),
        (LEAK, "read Customer.phone"),
        (LEAK, "sent by WhatsAppClient.send_message()"),
    ]


def test_the_greeting_alone_is_traced_across_three_modules(tmp_path: Path) -> None:
    project = tmp_path / "walletapp"
    shutil.copytree(EXAMPLE, project)
    leak = project / LEAK
    leak.write_text(leak.read_text().replace("(customer.phone, text)", '("+6280000000", text)'))
    (finding,) = scan_project(project)
    files = [step.path for step in finding.trace]
    assert files[0] == "walletapp/crm.py"
    assert "walletapp/messages.py" in files
    assert files[-1] == LEAK
    notes = [step.note for step in finding.trace]
    assert "read Customer.phone" in notes
    assert notes[-1] == "sent by WhatsAppClient.send_message()"


def test_moving_the_send_into_notifications_clears_it(tmp_path: Path) -> None:
    project = tmp_path / "walletapp"
    shutil.copytree(EXAMPLE, project)
    leak = project / LEAK
    moved = project / "walletapp" / "notifications" / "agent_messages.py"
    moved.write_text(leak.read_text(encoding="utf-8"), encoding="utf-8")
    leak.unlink()
    assert scan_project(project) == []


def test_example_sarif_is_valid_and_its_code_flow_is_the_text_trace() -> None:
    import json

    import jsonschema
    from typer.testing import CliRunner

    from privlint.cli import app

    runner = CliRunner()
    sarif = json.loads(runner.invoke(app, ["check", str(EXAMPLE), "--format", "sarif"]).stdout)
    schema = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(sarif)
    text = runner.invoke(app, ["check", str(EXAMPLE), "--format", "text"]).stdout
    (result,) = sarif["runs"][0]["results"]
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    for step in steps:
        location = step["location"]["physicalLocation"]
        line = location["region"]["startLine"]
        uri = location["artifactLocation"]["uri"]
        assert f"{uri}:{line}" in text and step["location"]["message"]["text"] in text
    assert len(steps) == len((finding := scan_project(EXAMPLE)[0]).trace)
    assert [s["location"]["message"]["text"] for s in steps] == [s.note for s in finding.trace]
