"""The demo client: a deterministic UK SMB (Xero tenant + Pipedrive company) with planted problems."""

from workbench.sandbox.demo.generate import DEFAULT_AS_OF, DemoSize, generate_demo_client
from workbench.sandbox.demo.pipedrive_reference import (
    DEAL_VAT_FIELD,
    ORG_SECTOR_FIELD,
    ORG_VAT_FIELD,
    ORG_XERO_ID_FIELD,
    PERSON_ROLE_FIELD,
    PRODUCT_ACCOUNT_FIELD,
)
from workbench.sandbox.demo.problems import PROBLEM_KINDS
from workbench.sandbox.demo.xero_invoices import REFERENCE_PREFIX, deal_reference

__all__ = [
    "DEAL_VAT_FIELD",
    "DEFAULT_AS_OF",
    "ORG_SECTOR_FIELD",
    "ORG_VAT_FIELD",
    "ORG_XERO_ID_FIELD",
    "PERSON_ROLE_FIELD",
    "PROBLEM_KINDS",
    "PRODUCT_ACCOUNT_FIELD",
    "REFERENCE_PREFIX",
    "DemoSize",
    "deal_reference",
    "generate_demo_client",
]
