"""When things happen in the demo: working days, and fitting each case's history into the past.

A plan's steps carry gaps in days; here they become dates (working days only, never past
yesterday) and then times (working hours, in order).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import holidays
from django.utils import timezone

from .plans import CasePlan, Step


class WorkingDays:
    """Working days: weekdays that are not bank holidays in England."""

    def __init__(self, today: date) -> None:
        years = list(range(today.year - 4, today.year + 2))
        bank = holidays.country_holidays("GB", subdiv="ENG", years=years)
        self._bank = sorted(bank.keys())
        self._bank_lookup = dict.fromkeys(self._bank, True)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._bank_lookup

    def on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day


class Timing:
    def __init__(self, rng: random.Random, *, today: date, days: WorkingDays) -> None:
        self.rng = rng
        self.today = today
        self.days = days

    def last_day(self, plan: CasePlan) -> date:
        """The last day this case's history may reach."""
        later = plan.previous_of
        if later is not None and later.referral_date is not None:
            # An earlier case is over well before the child is referred again.
            return later.referral_date - timedelta(days=10)
        # Yesterday: every backdated time is then before today's midnight, so a second run
        # later the same day gives the same timeline, and rows the services stamp "now" are
        # always later than anything backdated.
        return self.today - timedelta(days=1)

    def natural_end(self, start: date, steps: Sequence[Step], scale: float = 1.0) -> date:
        day = start
        for step in steps:
            gap = int(step.gap_days * scale)
            if gap > 0:
                day = self.days.on_or_after(day + timedelta(days=gap))
            if step.not_before is not None and day < step.not_before:
                day = self.days.on_or_after(step.not_before)
        return day

    def fit_dates(self, plans: list[CasePlan]) -> None:
        """Refer earlier any case whose history would run past its last day, rather than
        squeezing "10 school days" into three. Siblings move together; an earlier case of the
        same child is fitted after the later one, whose referral date bounds it."""
        rng = self.rng
        leaders = [p for p in plans if p.leader is None and p.previous_of is None]
        earlier = [p for p in plans if p.previous_of is not None]
        followers: dict[int, list[CasePlan]] = {}
        for plan in plans:
            if plan.leader is not None:
                followers.setdefault(plan.leader.index, []).append(plan)
        groups = [[lead, *followers.get(lead.index, [])] for lead in leaders]
        groups += [[p] for p in earlier]
        for group in groups:
            overflow = 0
            for plan in group:
                assert plan.referral_date is not None
                end = self.natural_end(plan.referral_date, plan.steps)
                overflow = max(overflow, (end - self.last_day(plan)).days)
            if overflow <= 0:
                continue
            shift = timedelta(days=overflow + rng.randint(1, 12))
            for plan in group:
                assert plan.referral_date is not None
                plan.referral_date = self.days.on_or_before(plan.referral_date - shift)
                if plan.date_last_attended is not None:
                    plan.date_last_attended = self.days.on_or_before(
                        plan.date_last_attended - shift
                    )
                plan.age_days = (self.today - plan.referral_date).days

    def times(self, plan: CasePlan) -> list[datetime]:
        """When the referral and each step happened: working hours, in order, by the last day."""
        assert plan.referral_date is not None
        limit = timezone.make_aware(datetime.combine(self.last_day(plan), time(17, 30)))
        opened = self.at(plan.referral_date)
        scale = 1.0
        for _attempt in range(12):
            times = self._walk(opened, plan.steps, scale)
            if times[-1] <= limit:
                return times
            # Rarely needed after fit_dates: shorten the gaps, keep working days and hours.
            scale *= 0.75
        span = (times[-1] - opened).total_seconds()
        room = max((limit - opened).total_seconds(), 60.0)
        return [
            opened + timedelta(seconds=(t - opened).total_seconds() * room / span) for t in times
        ]

    def _walk(self, opened: datetime, steps: Sequence[Step], scale: float) -> list[datetime]:
        rng = self.rng
        times = [opened]
        for step in steps:
            prev = times[-1]
            gap = int(step.gap_days * scale)
            if gap <= 0:
                t = prev + timedelta(minutes=rng.randint(4, 50))
            else:
                day = self.days.on_or_after(timezone.localtime(prev).date() + timedelta(days=gap))
                t = self.at(day)
            if step.not_before is not None and timezone.localtime(t).date() < step.not_before:
                t = self.at(self.days.on_or_after(step.not_before))
            times.append(max(t, prev + timedelta(minutes=1)))
        return times

    def at(self, day: date) -> datetime:
        """A time in working hours on `day`."""
        minutes = self.rng.randint(8 * 60 + 40, 17 * 60 + 10)
        return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))
