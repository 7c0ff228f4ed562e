"""Issue 16: the write path stays legible; no function in it branches more than 15 ways
(cyclomatic complexity, as radon counts it)."""

from pathlib import Path

import pytest
from radon.complexity import cc_visit

KNOWLEDGE = Path(__file__).resolve().parents[2] / "apps" / "knowledge"
WRITE_PATH = [
    "canonical.py",
    "dataset.py",
    "merge.py",
    "rules.py",
    "services.py",
    "writer.py",
]
LIMIT = 15


@pytest.mark.parametrize("module", WRITE_PATH)
def test_no_function_of_the_write_path_is_too_complex(module):
    blocks = cc_visit((KNOWLEDGE / module).read_text(encoding="utf-8"))
    functions = [b for b in blocks if not hasattr(b, "methods")]
    for block in blocks:
        functions += getattr(block, "methods", [])
    too_complex = [
        f"{f.name} ({f.complexity})" for f in functions if f.complexity > LIMIT
    ]
    assert too_complex == []
