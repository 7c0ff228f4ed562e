"""One-off, mechanical: give every classification in data/ a `basis` (issue 12).

- `basis: author` where the classification cites Bellamy, Williams and Griffin's chapter
  (the text that defines the two conceptions) with claim "classification";
- otherwise `basis: curators`, plus the task rule that the mission's coded mandate tasks
  select when that rule gives the classification's own value. Where it does not, the rule
  (and a departure, if needed) is left for the curators to write; the loader keeps such a
  record as a draft and says why.

Edits the files as text (a line or two inserted after `- value: ...`), so that the change
is small and merges with other edits. Run from the repository root:
    python scripts/classification_basis.py data
"""

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from apps.knowledge import codebook


def basis_lines(item, conceptions):
    citations = item.get("citations") or []
    if any(
        c.get("source") == codebook.DEFINING_SOURCE
        and c.get("claim") == "classification"
        for c in citations
    ):
        return ["basis: author"]
    rule = codebook.rule_for_tasks(conceptions)
    if rule is not None and rule.value == item.get("value"):
        return ["basis: curators", f"rule: {rule.slug}"]
    return ["basis: curators"]


def migrate(root: Path):
    tasks = yaml.safe_load((root / "mandate_tasks.yaml").read_text(encoding="utf-8"))
    conception_of = {t["slug"]: t["conception"] for t in tasks}
    changed = 0
    for directory in ("missions", "cases"):
        for path in sorted((root / directory).glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
            items = data.get("classifications") or []
            if not items or all("basis" in item for item in items):
                continue
            conceptions = [
                conception_of.get(t) for t in data.get("mandate_tasks") or []
            ]
            lines = text.split("\n")
            out, index, inside = [], 0, False
            for line in lines:
                out.append(line)
                if line.startswith("classifications:"):
                    inside = True
                    continue
                if inside and line and not line.startswith(" "):
                    inside = False
                if inside and line.startswith("  - value: "):
                    item = items[index]
                    index += 1
                    if "basis" not in item:
                        out += [f"    {x}" for x in basis_lines(item, conceptions)]
            if index != len(items):
                raise SystemExit(
                    f"{path}: found {index} of {len(items)} classifications"
                )
            path.write_text("\n".join(out), encoding="utf-8")
            changed += 1
    print(f"{changed} files changed")


if __name__ == "__main__":
    migrate(Path(sys.argv[1] if len(sys.argv) > 1 else "data"))
