"""Traces read as the path the data took: every hop into a helper shows the caller's
line, and a read from an object of unknown class names the expression."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import scan_project

from privlint.findings import Step

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
