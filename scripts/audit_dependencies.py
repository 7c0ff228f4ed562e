"""Vulnerability scan of the dependencies: pip-audit for Python, npm audit for the
browser-test tools. Run by .ci/run; `python scripts/audit_dependencies.py` by hand.

Each scanner ends in one of three verdicts, printed on a line of its own:

  CHECKED       the advisory service answered for N packages and knows no vulnerability
  VULNERABLE    advisories were found: they are listed and the exit status is 1
  NOT CHECKED   no advisory data could be had: the service was unreachable, refused the
                request, or answered without knowing anything. Nothing was checked, which
                is not a pass; the run goes on (exit 0) so that a machine without the
                advisory services can still test, but the line says so.

pip-audit says "No known vulnerabilities found" even when it skipped every package (a
package index without the per-version JSON, as a mirror may be), so its own words are
not trusted: a package counts as checked only if pip-audit did not skip it, and a service
counts only if it reports the advisories of a known-vulnerable canary (Django 3.2).
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Seconds for each scanner call; the whole scan is bounded by a few of these.
TIMEOUT = int(os.environ.get("AUDIT_TIMEOUT", "120"))
# Tried in order; the first whose advisories reach us is used.
PIP_AUDIT_SERVICES = ("pypi", "osv")
# A release with many published advisories: a service that reports none for it has no data.
CANARY = "Django==3.2"


@dataclass
class Report:
    checked: int = 0  # packages the service answered for
    vulnerabilities: list[str] = field(default_factory=list)
    problem: str = ""  # why nothing (or not everything) could be checked


def run(command, cwd=ROOT):
    """(returncode, stdout, stderr); a time-out or a missing tool is a returncode of -1."""
    try:
        result = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return -1, "", f"no answer within {TIMEOUT} s"
    except OSError as exc:
        return -1, "", str(exc)
    return result.returncode, result.stdout, result.stderr


def last_line(text):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


# ------------------------------------------------------------------ pip-audit


def read_pip_audit(returncode, stdout, stderr):
    """A Report from pip-audit's JSON output (`--format json`)."""
    try:
        data = json.loads(stdout)
        dependencies = data["dependencies"]
    except (ValueError, TypeError, KeyError):
        return Report(problem=f"pip-audit failed: {last_line(stderr or stdout)}")
    report = Report()
    skipped = []
    for dependency in dependencies:
        if "skip_reason" in dependency:
            if "editable" not in dependency["skip_reason"]:  # the project itself
                skipped.append(dependency["name"])
            continue
        report.checked += 1
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            report.vulnerabilities.append(
                f"{dependency['name']} {dependency.get('version', '?')}: "
                f"{vuln.get('id', '?')} (fixed in {fixes})"
            )
    if skipped:
        report.problem = (
            f"{len(skipped)} package(s) not found by the service "
            f"({', '.join(skipped[:5])}{', ...' if len(skipped) > 5 else ''})"
        )
    return report


def pip_audit(service, *args):
    command = [sys.executable, "-m", "pip_audit", "--format", "json"]
    command += ["--progress-spinner", "off", "--vulnerability-service", service]
    return read_pip_audit(*run([*command, *args]))


def audit_python():
    """Report for the packages installed in this environment (the pinned ones and
    everything they pull in)."""
    reasons = []
    with tempfile.TemporaryDirectory() as scratch:
        canary = Path(scratch) / "canary.txt"
        canary.write_text(CANARY + "\n")
        for service in PIP_AUDIT_SERVICES:
            probe = pip_audit(service, "-r", str(canary), "--no-deps", "--disable-pip")
            if not probe.vulnerabilities:
                why = probe.problem or "it reports no advisory for the canary"
                reasons.append(f"{service}: {why}")
                continue
            report = pip_audit(service, "--skip-editable")
            report.problem = (
                f"{service}: {report.problem}" if report.problem else report.problem
            )
            return report
    return Report(problem="; ".join(reasons))


# ------------------------------------------------------------------ npm audit


def read_npm_audit(returncode, stdout, stderr):
    """A Report from `npm audit --json` (npm 7 or later)."""
    try:
        data = json.loads(stdout)
    except ValueError:
        data = None
    totals = (
        data.get("metadata", {}).get("dependencies") if isinstance(data, dict) else None
    )
    if not isinstance(totals, dict):
        message = data.get("message") if isinstance(data, dict) else None
        return Report(
            problem=f"npm audit failed: {message or last_line(stderr or stdout)}"
        )
    report = Report(checked=totals.get("total", 0))
    for name, entry in sorted(data.get("vulnerabilities", {}).items()):
        report.vulnerabilities.append(
            f"{name} {entry.get('range', '')}: {entry.get('severity', '?')}".strip()
        )
    if not report.checked:
        report.problem = "npm audit reported no dependencies at all"
    return report


def audit_node():
    return read_npm_audit(*run(["npm", "audit", "--json"]))


# ------------------------------------------------------------------ verdicts


def verdict(scanner, report):
    """(lines to print, True if a vulnerability must fail the run)."""
    if report.vulnerabilities:
        lines = [
            f"VULNERABLE  {scanner}: {len(report.vulnerabilities)} known advisories"
        ]
        lines += [f"    {item}" for item in report.vulnerabilities]
        return lines, True
    if not report.checked:
        return [
            f"NOT CHECKED {scanner}: no advisory data could be had, so nothing was "
            f"scanned ({report.problem or 'no reason given'}). This is not a pass: "
            "run the scan where the advisory services are reachable "
            "(docs/operations.md, 'Dependency scan')."
        ], False
    line = f"CHECKED     {scanner}: {report.checked} packages, no known vulnerabilities"
    lines = [line]
    if report.problem:
        lines.append(f"    but not all: {report.problem}")
    return lines, False


def main(audits=None):
    audits = audits or {"pip-audit (Python)": audit_python, "npm audit": audit_node}
    failed = False
    for scanner, audit in audits.items():
        lines, vulnerable = verdict(scanner, audit())
        print("\n".join(lines), flush=True)
        failed |= vulnerable
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
