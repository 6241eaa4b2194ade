from .letters import Delivery, FrozenLetterError, Letter, LetterKind, LetterStatus
from .referrals import Decision, Referral
from .schemes import DEFAULT_WAITING_PERIOD_DAYS, DataVersion, DayCount, Scheme, WaitingPeriodPolicy
from .sweeps import SweepFailure, SweepRun, SweepStep

__all__ = [
    "DEFAULT_WAITING_PERIOD_DAYS", "DataVersion", "DayCount", "Decision", "Delivery", "FrozenLetterError", "Letter",
    "LetterKind", "LetterStatus", "Referral", "Scheme", "SweepFailure", "SweepRun", "SweepStep", "WaitingPeriodPolicy",
]
