"""The curators' workplace. `records` registers one admin per knowledge model, `workflow`
adds review, history and recovery, `imports` brings sources and CSV rows in."""

from . import imports  # noqa: F401 (registration)
from . import records  # noqa: F401 (registration)
from . import workflow  # noqa: F401 (registration)
