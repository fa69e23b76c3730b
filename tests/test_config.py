"""Policy files: schema validation with located problems, extends, tuning, discovery."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import privlint.config
from privlint.config import (
    ConfigError,
    ConfigProblem,
    find_config,
    load_policy,
)
from privlint.findings import Severity
from privlint.policy import Policy

CONFIG_FIXTURES = Path(__file__).parent / "fixtures" / "config"


def write(folder: Path, text: str, name: str = "privlint.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(config: Path, cwd: Path) -> list[str]:
    """Every problem `load_policy` reports, as the CLI prints them."""
    with pytest.raises(ConfigError) as raised:
        load_policy(config, cwd)
    return [str(problem) for problem in raised.value.problems]


def only_problem(config: Path, cwd: Path) -> str:
    found = problems(config, cwd)
    assert len(found) == 1, found
    return found[0]


def load_fixture(relative: str) -> Policy:
    return load_policy(Path(relative), CONFIG_FIXTURES)


# --- problem format -----------------------------------------------------------------


def test_problem_prints_as_path_line_column_message() -> None:
    problem = ConfigProblem("privlint.yaml", 12, 5, "unknown key 'sinkz' in rule")
    assert str(problem) == "privlint.yaml:12:5: unknown key 'sinkz' in rule"


def test_config_error_message_lists_every_problem() -> None:
    error = ConfigError(
        [ConfigProblem("a.yaml", 1, 1, "one"), ConfigProblem("a.yaml", 2, 3, "two")]
    )
    assert str(error) == "a.yaml:1:1: one\na.yaml:2:3: two"


# --- schema errors, one kind at a time ------------------------------------------------


def test_unknown_key_suggests_closest(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - id: no-pii-in-chat
            categories: [user]
            sinkz: {kinds: [messaging]}
        """,
    )
    message = problems(config, tmp_path)
    assert message[-1].startswith(
        "privlint.yaml:6:5: unknown key 'sinkz' in rule; expected one of: "
    )
    assert message[-1].endswith("; did you mean 'sinks'?")


def test_unknown_top_level_key_is_reported_at_the_key(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nextends: []\nexclud: [tests/**]\n")
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:3:1: unknown key 'exclud' in policy; expected one of: version, extends, "
        "include, exclude, source_roots, pii, sinks, sanitizers, propagators, types, rules, check; "
        "did you mean 'exclude'?"
    )


def test_wrong_type_says_what_was_expected_and_found(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nextends: []\ninclude: {src: yes}\n")
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:3:10: include: expected a list of strings, found a mapping"
    )


def test_wrong_item_in_a_list_is_located_at_the_item(tmp_path: Path) -> None:
    config = write(tmp_path, 'version: 1\nextends: []\nexclude: ["tests/**", 3]\n')
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:3:23: exclude[1]: expected a string, found an integer"
    )


def test_unsupported_version_names_the_supported_ones(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 2\nextends: []\n")
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:1:10: unsupported version 2; supported versions: 1"
    )


def test_project_policy_must_declare_its_version(tmp_path: Path) -> None:
    config = write(tmp_path, "extends: []\n")
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:1:1: missing 'version' (supported versions: 1)"
    )


def test_invalid_yaml_is_one_problem_at_the_parser_position(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\ninclude: [a, b\nexclude: []\n")
    message = only_problem(config, tmp_path)
    assert message.startswith("privlint.yaml:3:8: invalid YAML: expected ',' or ']'")
    assert "while parsing a flow sequence started at line 2, column 10" in message


def test_more_than_one_yaml_document_is_an_error(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\n---\nversion: 1\n")
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:2:1: invalid YAML: expected a single document in the stream, "
        "but found another document"
    )


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    config = write(tmp_path, "- version: 1\n")
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:1:1: top level: expected a mapping, found a list"
    )


def test_safe_loader_rejects_python_tags_without_running_them(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    config = write(
        tmp_path,
        f"""\
        version: 1
        extends: !!python/object/apply:os.system ["touch {marker}"]
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:2:10: unsupported YAML tag '!!python/object/apply:os.system': "
        "a policy holds only strings, numbers, booleans, lists and mappings"
    )
    assert not marker.exists()


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nextends: []\nextends: []\n")
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:3:1: duplicate key 'extends' (first written on line 2)"
    )


def test_bad_name_regex_shows_the_regex_error(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        pii:
          names:
            - pattern: '(?i)^(msisdn'
              category: user.contact.phone_number
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:5:16: pii.names[0].pattern: invalid regular expression '(?i)^(msisdn': "
        "missing ), unterminated subpattern at position 5"
    )


def test_unknown_category_suggests_a_known_one(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        pii:
          fields:
            "acme.models.Customer.phone": user.contact.phone
        """,
    )
    message = only_problem(config, tmp_path)
    assert message.startswith(
        "privlint.yaml:5:35: pii.fields['acme.models.Customer.phone']: "
        "unknown data category 'user.contact.phone'; did you mean "
    )


def test_unknown_sink_kind_lists_the_kinds_and_suggests_one(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        sinks:
          - id: whatsapp
            kind: messages
            calls: ["acme.wa.send"]
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:5:11: sinks[0].kind: unknown sink kind 'messages'; expected one of: "
        "logging, stdout, file_export, http, cookie, analytics, messaging, email, database, "
        "queue, exception; did you mean 'messaging'?"
    )


def test_sink_needs_id_kind_and_calls_or_stores(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nextends: []\nsinks:\n  - args: all\n")
    assert problems(config, tmp_path) == [
        "privlint.yaml:4:5: sinks[0]: missing required key 'id'",
        "privlint.yaml:4:5: sinks[0]: missing required key 'kind'",
        "privlint.yaml:4:5: sinks[0]: needs 'calls' or 'stores' (or both)",
    ]


def test_sink_stores_name_an_attribute_or_a_subscript(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        sinks:
          - {id: cells, kind: file_export, stores: ["acme.sheet.Cell.value", "*.cookies[]"]}
          - {id: bad, kind: cookie, stores: ["acme.jar", "acme.jar.*", 3]}
          - {id: empty, kind: cookie, stores: []}
        """,
    )
    assert problems(config, tmp_path) == [
        "privlint.yaml:5:50: sinks[1].stores[1]: 'acme.jar.*' names no store; expected an "
        "attribute ('pkg.Class.attr') or a subscript ('pattern[]')",
        "privlint.yaml:5:64: sinks[1].stores[2]: expected a string, found an integer",
        "privlint.yaml:6:39: sinks[2].stores: must list at least one store pattern",
    ]


def test_a_sink_may_name_only_stores(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "version: 1\nextends: []\nsinks:\n  - {id: c, kind: cookie, stores: ['*.jar[]']}\n",
    )
    (sink,) = load_policy(config, tmp_path).sinks
    assert (sink.calls, sink.stores, sink.kind) == ((), ("*.jar[]",), "cookie")


def test_sink_args_are_positions_or_keywords(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        sinks:
          - {id: wa, kind: messaging, calls: [acme.wa.send], args: [0, body, -1]}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:4:70: sinks[0].args[2]: expected a position counted from 0, "
        "a keyword name, or 'self' for the receiver, found an integer"
    )


def test_sink_sender_lists_names(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        sinks:
          - {id: wa, kind: messaging, calls: [acme.wa.send], sender: from_}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:4:62: sinks[0].sender: expected a list of keyword and field names, "
        "found a string"
    )


def test_sink_raises_lists_the_arguments_its_error_shows(tmp_path: Path) -> None:
    sink = """\
        version: 1
        extends: []
        sinks:
          - {id: api, kind: http, calls: [acme.api.get], raises: RAISES}
        """
    config = write(tmp_path, sink.replace("RAISES", "[0, url]"))
    (loaded,) = load_policy(config, tmp_path).sinks
    assert loaded.raises == (0, "url")
    config = write(tmp_path, sink.replace("RAISES", "all"))
    assert only_problem(config, tmp_path).endswith(
        "sinks[0].raises: list the arguments its error shows"
    )


def test_duplicate_sink_id_in_one_file(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        sinks:
          - {id: wa, kind: messaging, calls: [acme.wa.send]}
          - {id: wa, kind: messaging, calls: [acme.wa.send_media]}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:5:10: duplicate sink id 'wa' (first defined on line 4)"
    )


def test_duplicate_rule_id_in_one_file(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - {id: r, categories: [user], sinks: {kinds: [logging]}}
          - {id: r, categories: [user], sinks: {kinds: [stdout]}}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:5:10: duplicate rule id 'r' (first defined on line 4)"
    )


def test_unknown_severity_is_reported(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - {id: r, severity: eror, categories: [user], sinks: {kinds: [logging]}}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:4:23: rules[0].severity: unknown severity 'eror'; "
        "expected one of: error, warning, info; did you mean 'error'?"
    )


def test_new_rule_without_categories_is_an_error(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - id: no-contact-in-logs
            sinks: {kinds: [logging]}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:4:9: rule 'no-contact-in-logs' has no categories; a rule that does not "
        "tune an inherited one needs 'categories' and 'sinks'"
    )


def test_disabling_a_rule_that_is_not_inherited_suggests_the_inherited_one(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        f"""\
        version: 1
        extends: [{CONFIG_FIXTURES / "packs" / "base.yaml"}]
        rules:
          - id: no-pii-in-chats
            enabled: false
        """,
    )
    message = only_problem(config, tmp_path)
    assert message.startswith("privlint.yaml:4:9: rule 'no-pii-in-chats' has no categories and no")
    assert message.endswith("did you mean 'no-pii-in-chat'?")


def test_rule_sinks_must_name_something(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - {id: r, categories: [user], sinks: {kinds: []}}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:4:40: rules[0].sinks: must name at least one sink kind or sink id"
    )


def test_rule_naming_an_undefined_sink_id_is_an_error(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        sinks:
          - {id: whatsapp, kind: messaging, calls: [acme.wa.send]}
        rules:
          - {id: r, categories: [user], sinks: {ids: [whatsap]}}
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:6:47: unknown sink id 'whatsap': no sink in this policy or its packs "
        "has it; did you mean 'whatsapp'?"
    )


def test_allow_entry_needs_a_reason(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - id: r
            categories: [user]
            sinks: {kinds: [logging]}
            allow:
              - paths: ["acme/audit/**"]
              - functions: ["acme.ops.*"]
                reason: "  "
        """,
    )
    assert problems(config, tmp_path) == [
        "privlint.yaml:8:9: rules[0].allow[0]: missing required key 'reason'",
        "privlint.yaml:10:17: rules[0].allow[1].reason: must not be empty",
    ]


def test_allow_entry_needs_paths_or_functions(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - id: r
            categories: [user]
            sinks: {kinds: [logging]}
            allow: [{reason: "always fine"}]
        """,
    )
    assert only_problem(config, tmp_path) == (
        "privlint.yaml:7:13: rules[0].allow[0]: needs 'paths' or 'functions' "
        "to say where the exception applies"
    )


def test_several_mistakes_in_one_file_are_all_reported() -> None:
    found = problems(Path("mistakes/privlint.yaml"), CONFIG_FIXTURES)
    locations = [problem.split(": ", 1)[0] for problem in found]
    assert locations == [
        "mistakes/privlint.yaml:3:10",  # include is a string
        "mistakes/privlint.yaml:6:16",  # regex does not compile
        "mistakes/privlint.yaml:9:33",  # user.ssn is not a category
        "mistakes/privlint.yaml:12:11",  # sink kind chat
        "mistakes/privlint.yaml:15:9",  # new rule without sinks (it wrote sinkz)
        "mistakes/privlint.yaml:16:15",  # severity critical
        "mistakes/privlint.yaml:18:5",  # sinkz
        "mistakes/privlint.yaml:21:19",  # sink id whatsapp is defined nowhere
        "mistakes/privlint.yaml:23:9",  # allow without reason
    ]


# --- what a valid file becomes --------------------------------------------------------


def test_sections_become_typed_policy_values(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        include: ["src/**/*.py"]
        source_roots: [src]
        pii:
          returns: {"acme.crm.lookup_customer": user}
          disable_default_names: true
        sinks:
          - {id: wa, kind: messaging, calls: [acme.wa.send], args: [self, 0, body], sender: [from_]}
        sanitizers:
          - {calls: [acme.privacy.mask_phone], clears: [user.contact.phone_number]}
          - {calls: ["hashlib.*"], clears: all}
        types:
          - {calls: [logging.getLogger, structlog.get_logger], returns: logging.Logger}
        rules:
          - {id: r, categories: [user], sinks: {kinds: [logging], ids: [wa]}, summary: Short.}
        """,
    )
    policy = load_policy(config, tmp_path)
    assert policy.root == tmp_path.resolve()
    assert policy.config_path == config.resolve()
    assert (policy.include, policy.exclude, policy.source_roots) == (("src/**/*.py",), (), ("src",))
    assert policy.pii.returns == (("acme.crm.lookup_customer", "user"),)
    assert policy.pii.disable_default_names
    assert policy.sinks[0].args == ("self", 0, "body")
    assert policy.sinks[0].sender == ("from_",)
    assert not policy.sinks[0].selects("from_")
    assert [s.clears for s in policy.sanitizers] == [("user.contact.phone_number",), None]
    assert policy.types == (
        ("logging.getLogger", "logging.Logger"),
        ("structlog.get_logger", "logging.Logger"),
    )
    (rule,) = policy.rules
    assert (rule.severity, rule.message, rule.sink_kinds, rule.sink_ids) == (
        Severity.ERROR,
        "Short.",
        ("logging",),
        ("wa",),
    )


def test_allow_paths_stay_as_written(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        version: 1
        extends: []
        rules:
          - id: r
            categories: [user]
            sinks: {kinds: [logging]}
            allow: [{paths: ["walletapp/audit/**"], reason: audited}]
        """,
    )
    (rule,) = load_policy(config, tmp_path).rules
    assert rule.allow[0].paths == ("walletapp/audit/**",)


# --- extends and tuning --------------------------------------------------------------


def test_tuning_an_inherited_rule_changes_only_what_it_sets() -> None:
    rules = {rule.id: rule for rule in load_fixture("tuning/privlint.yaml").rules}
    chat = rules["no-pii-in-chat"]
    assert chat.severity is Severity.WARNING
    assert chat.categories == ("user",)
    assert chat.sink_kinds == ("messaging",)
    assert chat.message == "Personal data must not be sent over chat"  # from the summary


def test_tuning_appends_allow_entries() -> None:
    rules = {rule.id: rule for rule in load_fixture("tuning/privlint.yaml").rules}
    reasons = [allow.reason for allow in rules["no-pii-in-chat"].allow]
    assert reasons == [
        "the support desk answers the customer herself",
        "the sanctioned notification service, with consent checks",
    ]


def test_enabled_false_turns_an_inherited_rule_off() -> None:
    policy = load_fixture("tuning/privlint.yaml")
    assert [rule.id for rule in policy.active_rules()] == ["no-pii-in-chat", "no-contact-in-logs"]
    assert [rule.id for rule in policy.rules if not rule.enabled] == ["no-pii-in-audit"]


def test_relative_pack_is_resolved_from_the_extending_file() -> None:
    policy = load_fixture("tuning/privlint.yaml")
    assert [sink.id for sink in policy.sinks] == ["chat", "audit-log"]
    assert policy.sanitizers[0].clears is None
    assert policy.root == (CONFIG_FIXTURES / "tuning").resolve()


def test_project_names_come_before_inherited_ones_and_are_not_builtin() -> None:
    names = load_fixture("tuning/privlint.yaml").pii.names
    assert [(h.pattern, h.builtin) for h in names] == [
        ("(?i)^wa_number$", False),
        ("(?i)^msisdn$", False),
    ]


def test_later_sink_with_the_same_id_replaces_the_inherited_one() -> None:
    sinks = load_fixture("packs/chat_override.yaml").sinks
    assert [(sink.id, sink.calls) for sink in sinks] == [
        ("chat", ("acme.chat.v2.send",)),
        ("audit-log", ("acme.audit.write",)),
    ]


def test_extends_cycle_is_reported_with_the_chain() -> None:
    assert only_problem(Path("cycle/a.yaml"), CONFIG_FIXTURES) == (
        "cycle/b.yaml:2:5: extends cycle: cycle/a.yaml -> cycle/b.yaml -> cycle/a.yaml"
    )


def test_missing_extended_file_is_reported_at_the_entry(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nextends: [packs/nope.yaml]\n")
    message = only_problem(config, tmp_path)
    assert message.startswith("privlint.yaml:2:11: cannot read extended policy 'packs/nope.yaml'")


def test_problems_in_an_extended_pack_name_the_pack(tmp_path: Path) -> None:
    write(tmp_path, "sinks: [{id: x, kind: logging, calls: [a.b], argz: all}]\n", "packs/p.yaml")
    config = write(tmp_path, "version: 1\nextends: [packs/p.yaml]\n")
    message = only_problem(config, tmp_path)
    assert message.startswith("packs/p.yaml:1:46: unknown key 'argz' in sink;")


def test_unknown_builtin_pack_lists_the_available_ones(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nextends: [builtin:nope]\n")
    assert only_problem(config, tmp_path).startswith(
        "privlint.yaml:2:11: unknown builtin pack 'builtin:nope'; available: "
    )


def test_missing_extends_means_builtin_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Point the implicit pack at one that does not exist to see that it is asked for.
    monkeypatch.setattr(privlint.config, "DEFAULT_PACK", "builtin:nope")
    config = write(tmp_path, "version: 1\n")
    assert only_problem(config, tmp_path).startswith(
        "privlint.yaml:1:1: unknown builtin pack 'builtin:nope'"
    )


def test_empty_extends_starts_from_nothing(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "version: 1\nextends: []\n"), tmp_path)
    assert (policy.rules, policy.sinks, policy.pii.names) == ((), (), ())


# --- pyproject.toml ------------------------------------------------------------------


def test_pyproject_tool_privlint_is_loaded() -> None:
    policy = load_fixture("pyproject/pyproject.toml")
    assert policy.exclude == ("tests/**",)
    assert policy.pii.disable_default_names
    chat = next(rule for rule in policy.rules if rule.id == "no-pii-in-chat")
    assert chat.severity is Severity.INFO
    assert chat.allow[-1].reason == "on-call runbook"


def test_pyproject_problem_is_located_on_the_key_line(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """\
        [project]
        name = "acme"

        [tool.privlint]
        version = 1
        extends = []

        [[tool.privlint.sinks]]
        id = "wa"
        kind = "messages"
        calls = ["acme.wa.send"]
        """,
        "pyproject.toml",
    )
    message = only_problem(config, tmp_path)
    assert message.startswith("pyproject.toml:10:1: sinks[0].kind: unknown sink kind 'messages'")


def test_invalid_toml_is_reported_with_its_position(tmp_path: Path) -> None:
    config = write(tmp_path, "[tool.privlint]\nversion = \n", "pyproject.toml")
    assert only_problem(config, tmp_path) == "pyproject.toml:2:11: invalid TOML: Invalid value"


# --- finding the policy --------------------------------------------------------------


def test_upward_search_finds_the_config_from_a_subfolder(tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nextends: []\n")
    subfolder = tmp_path / "src" / "acme"
    subfolder.mkdir(parents=True)
    assert find_config(subfolder) == config.resolve()
    assert load_policy(None, subfolder).root == tmp_path.resolve()


def test_privlint_yaml_wins_over_a_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path, "[tool.privlint]\nversion = 1\n", "pyproject.toml")
    hidden = write(tmp_path, "version: 1\n", ".privlint.yaml")
    assert find_config(tmp_path) == hidden.resolve()


def test_pyproject_without_privlint_table_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path, "[tool.privlint]\nversion = 1\n", "pyproject.toml")
    write(tmp_path, "[tool.ruff]\nline-length = 100\n", "inner/pyproject.toml")
    assert find_config(tmp_path / "inner") == outer.resolve()


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path, "version: 1\n")
    inner = write(tmp_path, "version: 1\n", "inner/privlint.yaml")
    assert find_config(tmp_path / "inner") == inner.resolve()
