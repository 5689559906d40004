"""Plan versions kept in the engagement database: append-only, so an import never loses the version it
was based on. Each version stores the plan's canonical JSON and its content hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.errors import EngagementError
from workbench.plan.model import Plan, content_hash, plan_json
from workbench.store import Engagement, PlanVersionRecord

Origin = Literal["proposed", "client workbook", "consultant"]


@dataclass(frozen=True)
class PlanVersion:
    version: int
    plan: Plan
    created_at: str
    origin: str
    based_on: int | None
    content_hash: str
    note: str

    @classmethod
    def from_record(cls, record: PlanVersionRecord) -> PlanVersion:
        plan = Plan.model_validate_json(record.plan_json)
        return cls(
            record.version,
            plan,
            record.created_at,
            record.origin,
            record.based_on,
            record.content_hash,
            record.note,
        )


def save_version(
    engagement: Engagement, plan: Plan, *, origin: Origin, based_on: int | None = None, note: str = ""
) -> PlanVersion:
    """Store `plan` as the engagement's next version (earlier versions stay as they are)."""
    record = engagement.add_plan_version(
        plan_json(plan), content_hash=content_hash(plan), origin=origin, based_on=based_on, note=note
    )
    return PlanVersion.from_record(record)


def latest_version(engagement: Engagement) -> PlanVersion | None:
    record = engagement.plan_version()
    return PlanVersion.from_record(record) if record else None


def load_version(engagement: Engagement, version: int) -> PlanVersion:
    record = engagement.plan_version(version)
    if record is None:
        known = ", ".join(str(r.version) for r in engagement.plan_versions()) or "none yet"
        raise EngagementError(
            f"engagement '{engagement.name}' has no plan version {version}",
            hint=f"its versions are: {known}; see `workbench plan versions --engagement {engagement.name}`",
        )
    return PlanVersion.from_record(record)


def list_versions(engagement: Engagement) -> list[PlanVersion]:
    return [PlanVersion.from_record(r) for r in engagement.plan_versions()]
