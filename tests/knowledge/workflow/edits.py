"""A record edited through services.write_record, the one writer every door uses."""

from apps.knowledge import services


def edit(record, *, user, comment="", carry=None, **changes):
    """Write `record`'s canonical dict with `changes` laid over it, as `user` (None: the
    system); `record` is then re-read. Returns what write_record did (its Written)."""
    written = services.write_record(
        model=type(record),
        data={**services.record_content(record), **changes},
        instance=record,
        user=user,
        comment=comment,
        carry=carry,
    )
    record.refresh_from_db()
    return written
