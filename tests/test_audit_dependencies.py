"""The dependency scan (scripts/audit_dependencies.py) says plainly whether it checked
anything: fed the scanners' real answers, canned, so that no network is needed."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

# What pip-audit printed here against a package index without per-version JSON: every
# package skipped, then (on stderr) "No known vulnerabilities found", exit 0.
PIP_ALL_SKIPPED = json.dumps(
    {
        "dependencies": [
            {
                "name": "django",
                "skip_reason": "Dependency not found on PyPI and could not be audited: "
                "django (5.2.19)",
            },
            {
                "name": "peacekeeping-kb",
                "skip_reason": "distribution marked as editable",
            },
        ],
        "fixes": [],
    }
)
PIP_CLEAN = json.dumps(
    {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "pyyaml", "version": "6.0.3", "vulns": []},
            {
                "name": "peacekeeping-kb",
                "skip_reason": "distribution marked as editable",
            },
        ],
        "fixes": [],
    }
)
PIP_VULNERABLE = json.dumps(
    {
        "dependencies": [
            {
                "name": "django",
                "version": "3.2",
                "vulns": [
                    {"id": "PYSEC-0000-1", "fix_versions": ["3.2.4"], "aliases": []}
                ],
            }
        ],
        "fixes": [],
    }
)
PIP_NO_NETWORK = (
    "Traceback (most recent call last):\n  ...\n"
    "requests.exceptions.ConnectionError: Failed to resolve the advisory service\n"
)
# npm audit where the registry has no advisory endpoint (what happens here).
NPM_REFUSED = json.dumps(
    {
        "message": "405 Method Not Allowed - POST .../-/npm/v1/security/advisories/bulk",
        "statusCode": 405,
        "error": {"summary": "", "detail": ""},
    }
)
NPM_CLEAN = json.dumps(
    {
        "auditReportVersion": 2,
        "vulnerabilities": {},
        "metadata": {
            "vulnerabilities": {"total": 0},
            "dependencies": {"prod": 1, "dev": 1, "total": 1},
        },
    }
)
NPM_VULNERABLE = json.dumps(
    {
        "auditReportVersion": 2,
        "vulnerabilities": {
            "axe-core": {"name": "axe-core", "severity": "high", "range": "<9"}
        },
        "metadata": {
            "vulnerabilities": {"high": 1, "total": 1},
            "dependencies": {"total": 1},
        },
    }
)


def outcome(report):
    lines, fails = audit.verdict("scanner", report)
    return lines[0].split()[0] + (
        " CHECKED" if lines[0].startswith("NOT") else ""
    ), fails


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            (0, PIP_ALL_SKIPPED, "No known vulnerabilities found\n"),
            ("NOT CHECKED", False),
        ),
        ((1, "", PIP_NO_NETWORK), ("NOT CHECKED", False)),
        ((-1, "", "no answer within 120 s"), ("NOT CHECKED", False)),
        ((0, PIP_CLEAN, "No known vulnerabilities found\n"), ("CHECKED", False)),
        ((1, PIP_VULNERABLE, "Found 1 known vulnerability\n"), ("VULNERABLE", True)),
    ],
    ids=["all-skipped", "no-network", "timeout", "clean", "vulnerable"],
)
def test_pip_audit_answers_are_read_for_what_was_really_checked(answer, expected):
    assert outcome(audit.read_pip_audit(*answer)) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((1, NPM_REFUSED, "npm error audit endpoint returned an error"), "NOT CHECKED"),
        ((-1, "", "no answer within 120 s"), "NOT CHECKED"),
        ((0, NPM_CLEAN, ""), "CHECKED"),
        ((1, NPM_VULNERABLE, ""), "VULNERABLE"),
    ],
    ids=["refused", "timeout", "clean", "vulnerable"],
)
def test_npm_audit_answers_are_read_for_what_was_really_checked(answer, expected):
    assert outcome(audit.read_npm_audit(*answer))[0] == expected


def test_not_checked_says_why_and_where_to_run_the_scan():
    lines, fails = audit.verdict("npm audit", audit.read_npm_audit(1, NPM_REFUSED, ""))
    assert not fails
    assert "405 Method Not Allowed" in lines[0]
    assert "not a pass" in lines[0]
    assert "docs/operations.md" in lines[0]


def test_a_service_without_advisories_for_the_canary_checks_nothing(monkeypatch):
    """The canary (a release with known advisories) comes back clean: the service has no
    data, so even a 'clean' scan of our packages is not trusted."""
    calls = []

    def fake_run(command):
        calls.append(command)
        return 0, PIP_CLEAN, "No known vulnerabilities found\n"

    monkeypatch.setattr(audit, "run", fake_run)
    report = audit.audit_python()
    assert report.checked == 0
    assert "no advisory for the canary" in report.problem
    assert all("-r" in command for command in calls)  # only the canaries were run


def test_a_service_with_advisories_scans_the_environment(monkeypatch):
    def fake_run(command):
        if "-r" in command:
            return 1, PIP_VULNERABLE, ""  # the canary's advisories came through
        return 0, PIP_CLEAN, ""

    monkeypatch.setattr(audit, "run", fake_run)
    report = audit.audit_python()
    assert (report.checked, report.vulnerabilities, report.problem) == (2, [], "")


def test_the_run_fails_only_for_a_real_advisory(capsys):
    assert audit.main({"a": lambda: audit.read_npm_audit(1, NPM_REFUSED, "")}) == 0
    assert audit.main({"a": lambda: audit.read_npm_audit(0, NPM_CLEAN, "")}) == 0
    assert audit.main({"a": lambda: audit.read_npm_audit(1, NPM_VULNERABLE, "")}) == 1
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in printed if not line.startswith(" ")] == [
        "NOT",
        "CHECKED",
        "VULNERABLE",
    ]
    assert "    axe-core <9: high" in printed
