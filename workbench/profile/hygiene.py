"""Record hygiene a CRM <-> Xero sync trips over: won deals never billed, references naming no deal,
deals billed twice, archived or overdue customers still being sold to, records missing an email,
address or country.

Every rule judges "late" and "overdue" against `tables.as_of`, never the machine clock. Organisations
are tied to Xero contacts by `org_links` (the matcher's links); without them, by the Xero ContactID
stored on the CRM organisation.

The rules live in `hygiene_invoicing`, `hygiene_customers` and `hygiene_fields`, over the reads in
`hygiene_reads`.
"""

from __future__ import annotations

import pandas as pd

from workbench.profile.findings import concat_findings, findings_frame
from workbench.profile.hygiene_customers import (
    archived_contacts_with_open_deals,
    overdue_customers_with_open_deals,
    overdue_invoices,
)
from workbench.profile.hygiene_fields import (
    missing_addresses,
    missing_countries,
    missing_emails,
    sales_customers,
)
from workbench.profile.hygiene_invoicing import (
    WON_INVOICE_GRACE_DAYS,
    deals_invoiced_twice,
    invoice_references_without_deal,
    won_deals_not_invoiced,
)
from workbench.profile.hygiene_reads import org_contact_links
from workbench.profile.links import invoice_deal_links
from workbench.profile.tables import ProfileTables

# importable from here as before the split
__all__ = [
    "WON_INVOICE_GRACE_DAYS",
    "archived_contacts_with_open_deals",
    "deals_invoiced_twice",
    "find_hygiene_problems",
    "invoice_references_without_deal",
    "missing_addresses",
    "missing_countries",
    "missing_emails",
    "org_contact_links",
    "overdue_customers_with_open_deals",
    "overdue_invoices",
    "sales_customers",
    "won_deals_not_invoiced",
]


def find_hygiene_problems(
    tables: ProfileTables, org_links: pd.DataFrame | None = None, deal_links: pd.DataFrame | None = None
) -> pd.DataFrame:
    """All hygiene findings as one findings table (see `workbench.profile.findings`). `deal_links` is
    `links.invoice_deal_links(tables)` when the caller already has it (a profile reads it once)."""
    links = org_contact_links(tables, org_links)
    refs = invoice_deal_links(tables) if deal_links is None else deal_links
    customers = sales_customers(tables)
    return concat_findings(
        [
            findings_frame(won_deals_not_invoiced(tables, links, refs)),
            findings_frame(invoice_references_without_deal(tables, refs)),
            findings_frame(deals_invoiced_twice(tables, refs)),
            findings_frame(archived_contacts_with_open_deals(tables, links)),
            findings_frame(overdue_customers_with_open_deals(tables, links)),
            findings_frame(missing_emails(tables, customers)),
            findings_frame(missing_addresses(tables, customers)),
            findings_frame(missing_countries(tables, customers)),
        ]
    )
