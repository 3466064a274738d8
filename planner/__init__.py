"""planner: plan the replacement of Seoul Pay QR panels across Seoul's shops."""

from planner.errors import InputError, PlannerError, PlanVerificationError

__all__ = ["InputError", "PlannerError", "PlanVerificationError"]
