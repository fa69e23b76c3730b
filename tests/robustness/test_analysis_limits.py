"""Where the analysis cuts a path that carried personal data, it says so (fail closed)."""

from __future__ import annotations

from pathlib import Path

from .hostile import run_privlint, scan_root, write_project


def _wrappers(depth: int) -> str:
    """`handler(email)` → w{depth}() → … → w0(), which logs its argument."""
    body = ["import logging", "", "def w0(value):", "    logging.info('%s', value)", ""]
    for index in range(1, depth + 1):
        body += [f"def w{index}(value):", f"    w{index - 1}(value)", ""]
    body += ["def handler(email):", f"    w{depth}(email)", ""]
    return "\n".join(body)


def test_a_chain_deeper_than_followed_is_an_analysis_incomplete_finding(tmp_path: Path) -> None:
    write_project(tmp_path, {"chain.py": _wrappers(40)})
    result = scan_root(tmp_path)
    (finding,) = result.findings
    assert finding.rule_id == "analysis-incomplete"
    assert finding.severity.value == "error"
    assert finding.categories == ("user.contact.email",)
    process = run_privlint(tmp_path, "check", "--no-cache", "--select", "no-pii-in-logs")
    assert process.returncode == 1, process.stdout + process.stderr  # not ignorable


def test_a_chain_within_the_limit_is_followed_to_its_sink(tmp_path: Path) -> None:
    write_project(tmp_path, {"chain.py": _wrappers(10)})
    assert [f.rule_id for f in scan_root(tmp_path).findings] == ["no-pii-in-logs"]


def test_a_chain_of_200_modules_reports_where_it_is_cut(tmp_path: Path) -> None:
    files = {"pkg/__init__.py": "", "pkg/m199.py": "import logging\n\n\ndef hop(value):\n"}
    files["pkg/m199.py"] += "    logging.info('%s', value)\n"
    for index in range(199):
        files[f"pkg/m{index}.py"] = (
            f"from pkg import m{index + 1}\n\n\ndef hop(value):\n    m{index + 1}.hop(value)\n"
        )
    files["pkg/entry.py"] = "from pkg import m0\n\n\ndef start(email):\n    m0.hop(email)\n"
    write_project(tmp_path, files)
    findings = scan_root(tmp_path).findings
    assert {f.rule_id for f in findings} == {"analysis-incomplete"}
    assert all(f.categories == ("user.contact.email",) for f in findings)


def test_an_object_shown_by_its_str_at_the_cut_is_reported_not_recursed(tmp_path: Path) -> None:
    chain = _wrappers(40).replace("def handler(email):\n    w40(email)\n", "")
    chain += (
        "class Card:\n    def __init__(self, email):\n        self.email = email\n\n"
        "    def __str__(self):\n        return self.email\n\n"
        "def handler(email):\n    w40(Card(email))\n"
    )
    write_project(tmp_path, {"chain.py": chain})
    findings = scan_root(tmp_path).findings
    assert "analysis-incomplete" in {f.rule_id for f in findings}
    assert all(f.line > 0 for f in findings)  # each at a call, none at no place


def test_a_method_first_analysed_deep_in_a_call_chain_is_analysed_whole(tmp_path: Path) -> None:
    """`holder.target`, read 31 calls deep, needs the methods that put `target` on a
    `Holder`; `setup()` is then analysed as it would be on its own (its calls count from
    its body), so its 32-call flow to the log is found, not cut."""
    readers = ["def r0(holder):", "    return holder.target", ""]
    for index in range(1, 31):
        readers += [f"def r{index}(holder):", f"    return r{index - 1}(holder)", ""]
    chain = "# the email chain\n" + _wrappers(31).replace(
        "def handler(email):\n    w31(email)\n", ""
    )
    chain += "\n".join(["from vault import Holder", "", *readers, "def a_start():"])
    chain += "\n    r30(Holder())\n"
    holder = "from chain import w31\n\n\nclass Holder:\n    def setup(self, owner_email):\n"
    holder += "        w31(owner_email)\n        self.target = Holder()\n"
    write_project(tmp_path, {"chain.py": chain, "vault.py": holder})
    assert [f.rule_id for f in scan_root(tmp_path).findings] == ["no-pii-in-logs"]
