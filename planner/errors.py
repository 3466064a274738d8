"""Exceptions raised by planner, each with a message a coordinator can act on."""

from __future__ import annotations


class PlannerError(Exception):
    """Base class for every error planner reports to its user."""


class InputError(PlannerError, ValueError):
    """An input file or setting cannot be used as given."""


class PlanVerificationError(PlannerError):
    """A plan broke one of the rules the verifier checks; it is not written."""

    def __init__(self, violations: list[str]):
        self.violations = list(violations)
        shown = "\n  ".join(self.violations[:20])
        more = len(self.violations) - 20
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"plan failed verification ({len(self.violations)} problems):\n  {shown}{tail}")
