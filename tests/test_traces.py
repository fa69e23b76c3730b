"""Traces read as the path the data took: every hop into a helper shows the caller's
line, and a read from an object of unknown class names the expression."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from conftest import scan_project

from privlint.findings import MAX_OTHER_TRACES, Step

APP = """\
import logging

from helpers import describe


def welcome(user):
    text = describe(user.email)
    logging.info(text)
"""

HELPERS = """\
def describe(address):
    return "welcome " + address
"""

UNTYPED = """\
import logging


def handle(payload):
    logging.info("got %s", payload.email)
"""


def trace_of(root: Path, files: dict[str, str]) -> tuple[Step, ...]:
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (finding,) = scan_project(root)
    return finding.trace


def test_a_hop_into_a_helper_shows_the_callers_line_first(tmp_path: Path) -> None:
    trace = trace_of(tmp_path, {"app.py": APP, "helpers.py": HELPERS})
    located = [(step.path, step.line, step.note) for step in trace]
    call = ("app.py", 7, "passed to describe()")
    entry = ("helpers.py", 1, "argument 'address' of describe()")
    assert call in located and entry in located
    assert located.index(entry) == located.index(call) + 1
    assert located[-1] == ("app.py", 8, "logged by logging.info()")


def test_a_read_from_an_unknown_class_names_the_expression(tmp_path: Path) -> None:
    trace = trace_of(tmp_path, {"app.py": UNTYPED})
    assert trace[0].note == "read payload.email"


TWO_TRACES = """\
import logging


def greet(name):
    return "hello " + name


def welcome(user):
    logging.info("%s %s", greet(user.full_name), user.email)
"""

ONE_TAG_TWO_CATEGORIES = """\
import logging


def welcome(contact):  # pii: user.contact.email, user.name
    logging.info("%s", contact)
"""


def test_the_categories_listed_are_those_on_the_trace_shown(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(TWO_TRACES, encoding="utf-8")
    (finding,) = scan_project(tmp_path)
    assert [step.note for step in finding.trace] == [
        "read user.email",
        "logged by logging.info()",
    ]
    assert finding.categories == ("user.contact.email",)
    assert finding.other_categories == ("user.name",)


def test_categories_sharing_the_trace_shown_are_all_listed(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ONE_TAG_TWO_CATEGORIES, encoding="utf-8")
    (finding,) = scan_project(tmp_path)
    assert finding.categories == ("user.contact.email", "user.name")
    assert finding.other_categories == ()


def test_the_other_callers_of_a_helper_are_listed_as_other_traces(fixtures: Path) -> None:
    (finding,) = scan_project(fixtures / "projects" / "csv_exports")
    assert (finding.path, finding.line) == ("shop/export.py", 9)
    calls = [
        [(step.path, step.line) for step in trace if step.note == "passed to export()"]
        for trace in (finding.trace, *finding.other_traces)
    ]
    # mailing_list (line 8) is shown, birthdays (12) and greetings (16) listed; totals
    # (line 20) hands over no personal data and is in no trace.
    assert calls == [[("shop/reports.py", 8)], [("shop/reports.py", 12)], [("shop/reports.py", 16)]]
    assert all(trace[-1] == finding.trace[-1] for trace in finding.other_traces)
    assert [trace[0].note for trace in finding.other_traces] == [
        "read Customer.born",
        "parameter 'first_name' (name suggests user.name)",
    ]


ALLOW_BIRTH_DATES = """\
version: 1
extends: [builtin:default]
rules:
  - id: no-pii-in-exports
    allow:
      - functions: ["shop.export.export"]
        categories: [user.demographic]
        reason: "the birthday list is the export's purpose"
"""


def test_a_trace_an_allow_entry_accepts_is_not_among_the_other_traces(
    fixtures: Path, tmp_path: Path
) -> None:
    project = tmp_path / "csv_exports"
    shutil.copytree(fixtures / "projects" / "csv_exports", project)
    (project / "privlint.yaml").write_text(ALLOW_BIRTH_DATES, encoding="utf-8")
    (finding,) = scan_project(project)
    firsts = [trace[0].note for trace in (finding.trace, *finding.other_traces)]
    assert firsts == ["read Customer.email", "parameter 'first_name' (name suggests user.name)"]
    assert "user.demographic.date_of_birth" not in finding.other_categories


def test_traces_differing_only_in_their_notes_are_not_listed_again(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ONE_TAG_TWO_CATEGORIES, encoding="utf-8")
    (finding,) = scan_project(tmp_path)
    assert finding.other_traces == ()


EXPORT_HELPER = """\
import csv


def export(row):
    csv.writer(open("report.csv", "a")).writerow(row)


def relayed(user):
    relay(user.email)


def relay(value):
    export([value])
"""


def test_at_most_a_few_other_traces_are_listed_the_shortest_first(tmp_path: Path) -> None:
    callers = "".join(
        f"\n\ndef report_{n}(user):\n    export([user.email])\n"
        for n in range(MAX_OTHER_TRACES + 1)
    )
    (tmp_path / "app.py").write_text(EXPORT_HELPER + callers, encoding="utf-8")
    (finding,) = scan_project(tmp_path)
    assert len(finding.other_traces) == MAX_OTHER_TRACES
    # The direct callers, in the file's order: the trace through relay() is longer, though
    # its read comes first in the file, and every other trace is listed once.
    first_lines = [trace[0].line for trace in (finding.trace, *finding.other_traces)]
    assert first_lines == sorted(set(first_lines))
    assert all(len(trace) == len(finding.trace) == 4 for trace in finding.other_traces)
