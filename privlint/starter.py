"""The policy `privlint init` writes: commented, and fitted to what `project_facts` found.

The text says what was found (packages, tests, migrations, frameworks, vendor SDKs and
the sinks they bring), sets `exclude` and `source_roots` from it, and starts with the
`yaml-language-server` line that points editors at the policy's JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from privlint import __version__
from privlint.packs import builtin_pack
from privlint.project_facts import ProjectFacts, vendor_imports

SCHEMA_FILE = "privlint/schemas/policy.schema.json"  # in the repository and the package
SCHEMA_URL = f"https://raw.githubusercontent.com/privlint/privlint/v{__version__}/{SCHEMA_FILE}"
_MODULE = re.compile(r"[A-Za-z_]\w*(?=[.*])")  # `slack_sdk*WebClient.send` names slack_sdk
_OTHER_IMPORTS_SHOWN = 12

_FRAMEWORK_NOTES = {
    "Django": "Django models' fields are known by class (`customer.phone` is personal "
    "wherever `customer` is a Customer); django.core.mail is an email sink",
    "SQLAlchemy": "SQLAlchemy models' columns are known by class; query results are "
    "typed by their model",
    "FastAPI": "FastAPI's `HTTPException(detail=...)` carrying personal data is reported "
    "as an exception",
    "Flask": "Flask views are analysed like any function; values read from `request` "
    'are judged by their names (`request.form["email"]`)',
    "Celery": "Celery task calls hand their arguments to a message broker, which no "
    "built-in rule checks: see the commented sink and rule below to opt in",
}


@dataclass(frozen=True)
class _Sink:
    id: str
    kind: str
    modules: frozenset[str]
    processor: str


def starter_policy(facts: ProjectFacts) -> str:
    """The commented policy for the project `facts` describe; it loads as written."""
    package = facts.packages[0] if facts.packages else "myapp"
    exclude = _excludes(facts)
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_URL}",
        "# privlint policy: which personal data may reach which sinks.",
        "# `privlint rules` lists the active rules, `privlint explain RULE_ID` explains one.",
        "#",
        f"# What `privlint init` found ({_plural(facts.files_read, 'Python file')} read):",
        *_bullets(_found(facts)),
        "version: 1",
        "",
        "# Rule packs to start from. builtin:default covers logging, stdout, exports,",
        "# HTTP, analytics, messaging and exceptions for the standard library and",
        "# common packages. `extends: []` starts from nothing.",
        "extends: [builtin:default]",
        "",
        "# Files to scan, gitignore-style, relative to this file's folder (.gitignore is",
        "# honoured). Test code is not analysed unless you include it.",
        'include: ["**/*.py"]',
        f"exclude: {_flow_list(exclude)}",
    ]
    if facts.src_layout:
        lines += [
            "# Module names are paths below src/ (src/pkg/mod.py is `pkg.mod`).",
            'source_roots: ["src"]',
        ]
    lines += _TEMPLATE.format(package=package).splitlines()
    if "Celery" in facts.frameworks:
        lines += _CELERY.splitlines()
    return "\n".join(lines) + "\n"


def _found(facts: ProjectFacts) -> list[str]:
    found = []
    if facts.packages:
        where = " below src/" if facts.src_layout else ""
        found.append(f"packages{where}: {', '.join(facts.packages)}")
    else:
        found.append("no package folders (with __init__.py)")
    tests = [f"{folder}/" for folder in facts.test_folders] + [
        f"{pattern} files" for pattern in facts.test_files
    ]
    if tests:
        found.append(f"tests: {', '.join(tests)} (excluded below)")
    if facts.migrations:
        migrations = ", ".join(f"{folder}/" for folder in facts.migrations)
        found.append(f"migrations: {migrations} (excluded below)")
    found += [_FRAMEWORK_NOTES[name] for name in facts.frameworks]
    vendors = vendor_imports(facts.imports)
    sinks = _catalog()
    covered: set[str] = set()
    for module in sorted(vendors):
        reached = [sink for sink in sinks if module in sink.modules]
        if reached:
            covered.add(module)
            found.append(_sinks_line(module, reached))
    others = sorted(vendors - covered - {name.lower() for name in facts.frameworks})
    if others:
        shown = ", ".join(others[:_OTHER_IMPORTS_SHOWN])
        more = len(others) - _OTHER_IMPORTS_SHOWN
        shown += f" and {more} more" if more > 0 else ""
        found.append(
            f"other imports with no built-in sinks: {shown}; declare any that sends "
            "personal data out under `sinks:`"
        )
    return found


def _sinks_line(module: str, sinks: list[_Sink]) -> str:
    kinds = _join(dict.fromkeys(sink.kind for sink in sinks))
    names = ", ".join(
        f"{sink.id} → {sink.processor}" if sink.processor else sink.id for sink in sinks
    )
    return f"{module} is imported: {kinds} sinks are active ({names})"


def _catalog() -> list[_Sink]:
    """The built-in pack's sinks with the top-level modules their calls name."""
    pack = builtin_pack("default")
    data = yaml.safe_load(pack.read_text(encoding="utf-8")) if pack is not None else {}
    sinks = []
    for spec in data.get("sinks", []):
        modules = {match.group(0) for call in spec["calls"] if (match := _MODULE.match(call))}
        sinks.append(_Sink(spec["id"], spec["kind"], frozenset(modules), spec.get("processor", "")))
    return sinks


def _excludes(facts: ProjectFacts) -> list[str]:
    patterns: dict[str, None] = {}
    folders = (*facts.test_folders, *facts.migrations)
    for folder in sorted(folders, key=lambda folder: ("/" in folder, folder)):
        name = folder.rsplit("/", 1)[-1]
        patterns[f"{name}/**" if folder == name else f"**/{name}/**"] = None
    for pattern in facts.test_files:
        patterns[f"**/{pattern}"] = None
    return list(patterns)


def _flow_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _join(words: Iterable[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _bullets(items: Iterable[str], width: int = 88) -> list[str]:
    """Comment lines: `# - item`, wrapped at `width` with continuation lines under the text."""
    lines = []
    for item in items:
        current = "# -"
        for word in item.split():
            if len(current) + 1 + len(word) > width and current not in ("# -", "#  "):
                lines.append(current)
                current = "#  "
            current += " " + word
        lines.append(current)
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


_TEMPLATE = """
# Where personal data enters the code, besides `# pii: CATEGORY` comments.
# Name patterns are dotted qualified names; `*` also matches dots.
pii:
  fields: {{}}
  #  "{package}.models.Customer.phone": user.contact.phone_number
  names: []
  #  - pattern: '(?i)^(msisdn|wa_number)$'
  #    category: user.contact.phone_number
  returns: {{}}
  #  "{package}.crm.lookup_customer": user
  disable_default_names: false

# Your own sinks, added to the built-in catalog.
sinks: []
#  - id: whatsapp
#    kind: messaging            # logging, stdout, file_export, http, analytics,
#                               # messaging, email, database, queue, exception
#    processor: "WhatsApp"      # the third party, named in `privlint inventory`
#    calls: ["{package}.vendor.wa.send_message"]
#    args: all                  # or positions and keywords: [0, "body"]

# Calls whose result no longer carries the listed categories.
sanitizers: []
#  - calls: ["{package}.privacy.mask_phone"]
#    clears: [user.contact.phone_number]

# New rules, or inherited ones tuned by id: set severity, message, categories
# or sinks, add allow entries (each with a reason), or switch one off.
rules: []
#  - id: no-pii-in-messages
#    allow:
#      - functions: ["{package}.notifications.*"]
#        categories: [user.contact.phone_number]   # only these categories
#        reason: "the notification service checks consent"
#  - id: no-pii-to-stdout
#    enabled: false"""

_CELERY = """
# Celery: to check what tasks are given, add under `sinks:` and `rules:`
#  - id: celery-tasks
#    kind: queue
#    calls: ["*.delay", "*.apply_async"]
#  - id: no-pii-in-task-queues
#    categories: [user]
#    sinks: {ids: [celery-tasks]}"""
