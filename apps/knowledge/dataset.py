"""The curated knowledge as reviewable YAML files (see data/README.md), in and out.

`load_dataset()` reads and checks every file first, then hands the records to the
services (`services.records_load`), which write them through the one graph writer and
publish them through the workflow, inside one transaction: any error names the file,
the record and the field, and nothing is saved. `export_dataset()` writes the database
back as the same canonical dicts (canonical.py), so that load -> export reproduces the
files byte for byte. This module knows YAML and files; nothing else.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from . import services
from .canonical import DATA_TYPES
from .canonical import record_to_dict
from .models import Country
from .models import MandateTask
from .services import LoadReport
from .writer import DatasetError

__all__ = ["DatasetError", "LoadReport", "dump_yaml", "export_dataset", "load_dataset"]


# --------------------------------------------------------------------------- reading


# A record file is a few kilobytes; anything near this is a mistake or an attack.
MAX_FILE_BYTES = 1024 * 1024


# Curated records nest a few levels (a classification's citations); far deeper is an
# attack on the parser's recursion.
MAX_DEPTH = 32


class _SafeLoader(yaml.SafeLoader):
    """safe_load without aliases: `*name` references could multiply a small file
    into an enormous structure (the "billion laughs"), and curated files never need them;
    and without nesting deeper than MAX_DEPTH, which would exhaust Python's stack."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed",
                self.peek_event().start_mark,
            )
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested more than {MAX_DEPTH} levels deep",
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _read_yaml(path: Path, problems: list[str]):
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path}: larger than {MAX_FILE_BYTES} bytes")
            return None
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_SafeLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML: {exc}")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text: {exc}")
    except OSError as exc:
        problems.append(f"{path}: cannot be read: {exc}")
    else:
        if data is None:
            problems.append(f"{path}: empty: a record file needs its fields")
            return None
        if _has_nul(data):
            problems.append(f"{path}: contains a NUL character, which cannot be stored")
            return None
        return data
    return None


def read_dataset(root: Path):
    """Parse every file. Returns ({directory: {slug: (path, data)}}, vocabularies, problems)."""
    problems: list[str] = []
    records: dict[str, dict[str, tuple[Path, dict]]] = {}
    for record_type in DATA_TYPES:
        found = {}
        for path in sorted((root / record_type.directory).glob("*.yaml")):
            data = _read_yaml(path, problems)
            if data is None:
                continue
            if not isinstance(data, dict):
                problems.append(
                    f"{path}: expected a mapping of fields, got {type(data).__name__}"
                )
                continue
            slug = data.get("slug")
            if slug != path.stem:
                problems.append(
                    f'{path}: field "slug": "{slug}" must equal the file name "{path.stem}"'
                )
                continue
            found[slug] = (path, data)
        records[record_type.directory] = found
    vocab = {}
    for name in ("countries", "mandate_tasks"):
        path = root / f"{name}.yaml"
        data = _read_yaml(path, problems) if path.exists() else []
        if data is None:
            data = []
        if not isinstance(data, list):
            problems.append(f"{path}: expected a list")
            data = []
        vocab[name] = (path, data)
    return records, vocab, problems


# --------------------------------------------------------------------------- loading


def load_dataset(root, *, dry_run=False, user=None) -> LoadReport:
    """Validate and load everything under `root`; raise DatasetError and save nothing on error."""
    root = Path(root)
    records, vocab, problems = read_dataset(root)
    if problems:
        raise DatasetError(problems)
    with transaction.atomic():
        report = services.records_load(records=records, vocab=vocab, user=user)
        if dry_run:
            transaction.set_rollback(True)
    return report


# --------------------------------------------------------------------------- exporting


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so that diffs read like prose."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def export_dataset(root, *, published_only=False) -> int:
    """Write every record to `root` in the canonical file layout; return the number of files."""
    root = Path(root)
    count = 0
    root.mkdir(parents=True, exist_ok=True)
    # The vocabularies: rows with the keys their files use, in that order.
    countries = Country.objects.order_by("code").values("code", "name", "region")
    (root / "countries.yaml").write_text(dump_yaml(list(countries)), encoding="utf-8")
    tasks = MandateTask.objects.order_by("position", "id").values(
        "slug", "name", "conception", "description"
    )
    (root / "mandate_tasks.yaml").write_text(dump_yaml(list(tasks)), encoding="utf-8")
    for record_type in DATA_TYPES:
        directory = root / record_type.directory
        directory.mkdir(exist_ok=True)
        queryset = record_type.model.objects.all()
        if published_only:
            queryset = queryset.published()
        for instance in queryset.order_by("slug"):
            path = directory / f"{instance.slug}.yaml"
            path.write_text(
                dump_yaml(record_to_dict(record_type, instance)), encoding="utf-8"
            )
            count += 1
    return count
