"""The product's Xero Accounting API client: wire models, calls, canonical conversion, the pull source.

Shares no code with `workbench.sandbox` (an independent reading of the same spec).
"""

from workbench.xero.canonicalise import canonicalise
from workbench.xero.client import PAGE_SIZE, XERO_API, XeroClient, XeroPage
from workbench.xero.source import XeroSource, xero_source

__all__ = ["PAGE_SIZE", "XERO_API", "XeroClient", "XeroPage", "XeroSource", "canonicalise", "xero_source"]
