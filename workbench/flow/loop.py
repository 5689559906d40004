"""Loop prevention: a CRM update whose only changes are the flow's own write-back fields is no change.

The flow's PATCHes move a deal's update time, so the next incremental pull (or a `change.deal` webhook)
brings the deal back. Whether anything a person would act on changed is read off the builder's deal
fingerprint (`build.deal_fingerprint`), which leaves out the flow's fields (by name, and by code when
`keys` are given, for raw Pipedrive or HubSpot records) and the update time. A raw HubSpot deal's
`properties` are read as the record's own fields. The runner holds deals the ledger
shows invoiced and retries a rejected deal only when its draft changes, so a write-back never sends a
second invoice; these functions say which updates were the flow's own, for triggers and reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.flow.build import deal_fingerprint
from workbench.flow.crm_fields import FieldKeys

# a raw record's own names for the canonical updated_at: Pipedrive's, and HubSpot's (a property, and
# the record's own updatedAt beside its properties)
_RAW_UPDATE_TIMES = ("update_time", "hs_lastmodifieddate", "updatedAt")


def is_own_update(before: Mapping[str, Any], after: Mapping[str, Any], keys: FieldKeys | None = None) -> bool:
    """Whether `after` differs from `before` (two versions of one deal record) only in the flow's own
    fields and update time; two identical versions count as the flow's own too (nothing to act on).
    The deal's products are not part of the record: a changed product line is the builder's to see."""
    ignore = keys.codes("deal") if keys is not None else frozenset()
    return deal_fingerprint(_settled(before), (), ignore) == deal_fingerprint(_settled(after), (), ignore)


def changed_by_others(
    before: Mapping[str, Mapping[str, Any]],
    after: Mapping[str, Mapping[str, Any]],
    keys: FieldKeys | None = None,
) -> set[str]:
    """The ids of deals in `after` that someone other than the flow changed since `before` (new deals
    count as changed); deals the flow only wrote back to are left out."""
    return {
        deal_id
        for deal_id, deal in after.items()
        if deal_id not in before or not is_own_update(before[deal_id], deal, keys)
    }


def _settled(deal: Mapping[str, Any]) -> dict[str, Any]:
    flat = dict(deal)
    properties = flat.get("properties")
    if isinstance(properties, Mapping):  # a raw HubSpot record
        del flat["properties"]
        flat.update(properties)
    return {k: v for k, v in flat.items() if k not in _RAW_UPDATE_TIMES}
