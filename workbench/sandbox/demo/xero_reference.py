"""The demo Xero tenant's reference data: organisation, UK tax rates, chart of accounts, items, currencies.

Tax rates follow the UK defaults (reference xero-api.md section 5); the domestic reverse charge and the
self-accounted rates show their nominal 20% but an effective 0%, since the customer accounts for the VAT.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.catalogue import CATALOGUE
from workbench.sandbox.demo.rng import guid, instant
from workbench.sandbox.demo.vat_numbers import gb_vat

Record = dict[str, Any]

ORGANISATION_NAME = "Northwind Workshop Ltd"
LEGAL_NAME = "Northwind Workshop Limited"
BANK_ACCOUNT_CODE = "090"
# (Name, TaxType, display %, effective %, ReportTaxType, can apply to: Assets eQuity eXpenses
#  Liabilities Revenue, Status)
TAX_RATES = (
    ("20% (VAT on Income)", "OUTPUT2", "20", "20", "OUTPUT", "AQLR", "ACTIVE"),
    ("20% (VAT on Expenses)", "INPUT2", "20", "20", "INPUT", "AQXL", "ACTIVE"),
    ("5% (VAT on Income)", "RROUTPUT", "5", "5", "OUTPUT", "AQLR", "ACTIVE"),
    ("5% (VAT on Expenses)", "RRINPUT", "5", "5", "INPUT", "AQXL", "ACTIVE"),
    ("Zero Rated Income", "ZERORATEDOUTPUT", "0", "0", "ZERORATEDOUTPUT", "AQLR", "ACTIVE"),
    ("Zero Rated Expenses", "ZERORATEDINPUT", "0", "0", "ZERORATEDINPUT", "AQXL", "ACTIVE"),
    ("Exempt Income", "EXEMPTOUTPUT", "0", "0", "EXEMPTOUTPUT", "AQLR", "ACTIVE"),
    ("Exempt Expenses", "EXEMPTINPUT", "0", "0", "EXEMPTINPUT", "AQXL", "ACTIVE"),
    ("No VAT", "NONE", "0", "0", "NONE", "AQXLR", "ACTIVE"),
    ("Zero Rated EC Goods Income", "ECZROUTPUT", "0", "0", "ECOUTPUT", "R", "ACTIVE"),
    ("Zero Rated EC Services", "ECZROUTPUTSERVICES", "0", "0", "ECOUTPUTSERVICES", "R", "ACTIVE"),
    ("EC Acquisitions (20%)", "ECACQUISITIONS", "20", "0", "ECACQUISITIONS", "AX", "ACTIVE"),
    ("EC Acquisitions (Zero Rated)", "ECZRACQUISITIONS", "0", "0", "ECACQUISITIONS", "AX", "ACTIVE"),
    ("Reverse Charge Expenses (20%)", "REVERSECHARGES", "20", "0", "REVERSECHARGES", "AX", "ACTIVE"),
    ("Domestic Reverse Charge @ 20% (VAT on Income)", "DRCHARGE20", "20", "0", "DRCHARGE", "R", "ACTIVE"),
    (
        "Domestic Reverse Charge @ 20% (VAT on Expenses)",
        "DRCHARGESUPPLY20",
        "20",
        "0",
        "DRCHARGESUPPLY",
        "AX",
        "ACTIVE",
    ),
    ("Domestic Reverse Charge @ 5% (VAT on Income)", "DRCHARGE5", "5", "0", "DRCHARGE", "R", "ACTIVE"),
    (
        "Domestic Reverse Charge @ 5% (VAT on Expenses)",
        "DRCHARGESUPPLY5",
        "5",
        "0",
        "DRCHARGESUPPLY",
        "AX",
        "ACTIVE",
    ),
    ("VAT on Imports", "GSTONIMPORTS", "0", "0", "GSTONIMPORTS", "L", "ACTIVE"),
    ("20% (VAT on Capital Purchases)", "CAPEXINPUT2", "20", "20", "CAPITALEXPENSESINPUT", "A", "ACTIVE"),
    ("20% (VAT on Capital Sales)", "CAPEXOUTPUT2", "20", "20", "CAPITALSALESOUTPUT", "A", "ACTIVE"),
    ("17.5% (VAT on Capital Sales)", "CAPEXOUTPUT", "17.5", "17.5", "CAPITALSALESOUTPUT", "A", "ARCHIVED"),
    (
        "17.5% (VAT on Capital Purchases)",
        "CAPEXINPUT",
        "17.5",
        "17.5",
        "CAPITALEXPENSESINPUT",
        "A",
        "DELETED",
    ),
)
# (Code, Name, Type, TaxType, SystemAccount, Status)
ACCOUNTS = (
    ("090", "Business Bank Account", "BANK", "NONE", "", "ACTIVE"),
    ("091", "Business Savings Account", "BANK", "NONE", "", "ACTIVE"),
    ("200", "Sales", "REVENUE", "OUTPUT2", "", "ACTIVE"),
    ("205", "Old Consulting Sales", "REVENUE", "OUTPUT2", "", "ARCHIVED"),
    ("260", "Other Revenue", "REVENUE", "OUTPUT2", "", "ACTIVE"),
    ("270", "Interest Income", "OTHERINCOME", "NONE", "", "ACTIVE"),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2", "", "ACTIVE"),
    ("320", "Direct Wages", "DIRECTCOSTS", "NONE", "", "ACTIVE"),
    ("325", "Direct Expenses", "DIRECTCOSTS", "INPUT2", "", "ACTIVE"),
    ("400", "Advertising & Marketing", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("401", "Audit & Accountancy fees", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("404", "Bank Fees", "OVERHEADS", "EXEMPTINPUT", "", "ACTIVE"),
    ("408", "Cleaning", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("412", "Consulting", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("416", "Depreciation", "DEPRECIATN", "NONE", "", "ACTIVE"),
    ("420", "Entertainment-100% business", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("425", "Postage, Freight & Courier", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("429", "General Expenses", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("433", "Insurance", "OVERHEADS", "EXEMPTINPUT", "", "ACTIVE"),
    ("437", "Interest Paid", "OVERHEADS", "EXEMPTINPUT", "", "ACTIVE"),
    ("441", "Legal Expenses", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("445", "Light, Power, Heating", "OVERHEADS", "RRINPUT", "", "ACTIVE"),
    ("449", "Motor Vehicle Expenses", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("461", "Printing & Stationery", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("463", "IT Software and Consumables", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("465", "Rates", "OVERHEADS", "NONE", "", "ACTIVE"),
    ("469", "Rent", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("473", "Repairs & Maintenance", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("477", "Salaries", "OVERHEADS", "NONE", "", "ACTIVE"),
    ("480", "Staff Training", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("485", "Subscriptions", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("489", "Telephone & Internet", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("493", "Travel - National", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("494", "Travel - International", "OVERHEADS", "NONE", "", "ACTIVE"),
    ("610", "Accounts Receivable", "CURRENT", "NONE", "DEBTORS", "ACTIVE"),
    ("620", "Prepayments", "CURRENT", "NONE", "", "ACTIVE"),
    ("630", "Inventory", "INVENTORY", "NONE", "", "ACTIVE"),
    ("710", "Office Equipment", "FIXED", "INPUT2", "", "ACTIVE"),
    ("720", "Computer Equipment", "FIXED", "INPUT2", "", "ACTIVE"),
    ("800", "Accounts Payable", "CURRLIAB", "NONE", "CREDITORS", "ACTIVE"),
    ("801", "Unpaid Expense Claims", "CURRLIAB", "NONE", "UNPAIDEXPCLM", "ACTIVE"),
    ("810", "Income in Advance", "CURRLIAB", "NONE", "", "ACTIVE"),
    ("820", "VAT", "CURRLIAB", "NONE", "GST", "ACTIVE"),
    ("825", "PAYE Payable", "CURRLIAB", "NONE", "", "ACTIVE"),
    ("835", "Directors' Loan Account", "CURRLIAB", "NONE", "", "ACTIVE"),
    ("840", "Historical Adjustment", "CURRLIAB", "NONE", "HISTORICAL", "ACTIVE"),
    ("850", "Suspense", "CURRLIAB", "NONE", "", "ACTIVE"),
    ("860", "Rounding", "CURRLIAB", "NONE", "ROUNDING", "ACTIVE"),
    ("877", "Tracking Transfers", "CURRLIAB", "NONE", "TRACKINGTRANSFERS", "ACTIVE"),
    ("900", "Loan", "TERMLIAB", "NONE", "", "ACTIVE"),
    ("950", "Capital - Ordinary Shares", "EQUITY", "NONE", "", "ACTIVE"),
    ("960", "Retained Earnings", "EQUITY", "NONE", "RETAINEDEARNINGS", "ACTIVE"),
)
CLASS_OF_TYPE = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "INVENTORY": "ASSET",
    "FIXED": "ASSET",
    "REVENUE": "REVENUE",
    "OTHERINCOME": "REVENUE",
    "SALES": "REVENUE",
    "DIRECTCOSTS": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "DEPRECIATN": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "CURRLIAB": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "EQUITY": "EQUITY",
}
CURRENCIES = (("GBP", "British Pound"), ("EUR", "Euro"), ("USD", "United States Dollar"))
FOUR_DP = Decimal("0.0001")


def tax_rates() -> list[Record]:
    rates = []
    for name, tax_type, display, effective, report, applies, status in TAX_RATES:
        rates.append(
            {
                "Name": name,
                "TaxType": tax_type,
                "TaxComponents": [
                    {
                        "Name": "VAT",
                        "Rate": Decimal(display).quantize(FOUR_DP),
                        "IsCompound": False,
                        "IsNonRecoverable": False,
                    }
                ],
                "Status": status,
                "ReportTaxType": report,
                "CanApplyToAssets": "A" in applies,
                "CanApplyToEquity": "Q" in applies,
                "CanApplyToExpenses": "X" in applies,
                "CanApplyToLiabilities": "L" in applies,
                "CanApplyToRevenue": "R" in applies,
                "DisplayTaxRate": Decimal(display).quantize(FOUR_DP),
                "EffectiveRate": Decimal(effective).quantize(FOUR_DP),
            }
        )
    return rates


def accounts(rng: random.Random, created: date) -> list[Record]:
    out = []
    for code, name, kind, tax_type, system, status in ACCOUNTS:
        account: Record = {
            "AccountID": guid(rng),
            "Code": code,
            "Name": name,
            "Type": kind,
            "Status": status,
            "TaxType": tax_type,
            "Class": CLASS_OF_TYPE[kind],
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": kind in ("OVERHEADS", "DIRECTCOSTS"),
            "HasAttachments": False,
            "ReportingCode": "",
            "UpdatedDateUTC": instant(created, rng),
        }
        if kind == "BANK":
            account["BankAccountNumber"] = f"{rng.randrange(10**6):06d}{rng.randrange(10**8):08d}"
            account["BankAccountType"] = "BANK"
            account["CurrencyCode"] = "GBP"
        else:
            account["Description"] = f"{name} ({CLASS_OF_TYPE[kind].lower()})"
        if system:
            account["SystemAccount"] = system
        out.append(account)
    return out


def items(rng: random.Random, created: date) -> list[Record]:
    out = []
    for product in CATALOGUE:
        if not product.in_xero:
            continue
        sold = product.code != "EXP-MILEAGE"
        item: Record = {
            "ItemID": guid(rng),
            "Code": product.code,
            "Name": product.name,
            "Description": product.description,
            "IsSold": sold,
            "IsPurchased": product.is_purchased,
            "IsTrackedAsInventory": False,
            "UpdatedDateUTC": instant(created, rng),
        }
        if sold:
            item["SalesDetails"] = {
                "UnitPrice": product.price,
                "AccountCode": product.account,
                "TaxType": product.tax_type,
            }
        if product.is_purchased:
            item["PurchaseDescription"] = product.description
            item["PurchaseDetails"] = {"UnitPrice": product.price, "AccountCode": "493", "TaxType": "INPUT2"}
        out.append(item)
    return out


def currencies() -> list[Record]:
    return [{"Code": code, "Description": description} for code, description in CURRENCIES]


def organisation(rng: random.Random, created: date) -> Record:
    short = "".join(rng.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(5))
    return {
        "OrganisationID": guid(rng),
        "APIKey": "",
        "Name": ORGANISATION_NAME,
        "LegalName": LEGAL_NAME,
        "PaysTax": True,
        "Version": "UK",
        "OrganisationType": "COMPANY",
        "OrganisationEntityType": "COMPANY",
        "BaseCurrency": "GBP",
        "CountryCode": "GB",
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "RegistrationNumber": f"{rng.randrange(10**7, 10**8)}",
        "TaxNumber": gb_vat(rng),
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": datetime(created.year, created.month, created.day, 9, 12, 31, tzinfo=UTC),
        "Timezone": "GMTSTANDARDTIME",
        "ShortCode": f"!{short}",
        "Class": "STANDARD",
        "Edition": "BUSINESS",
        "LineOfBusiness": "Workshop design, facilitation and fit-out",
        "Addresses": [
            {
                "AddressType": "POBOX",
                "AddressLine1": "PO Box 2231",
                "City": "Leeds",
                "PostalCode": "LS1 9XT",
                "Country": "United Kingdom",
                "AttentionTo": "Accounts",
            },
            {
                "AddressType": "STREET",
                "AddressLine1": "Unit 4, Kirkstall Forge",
                "AddressLine2": "Bridge Road",
                "City": "Leeds",
                "Region": "West Yorkshire",
                "PostalCode": "LS5 3BF",
                "Country": "United Kingdom",
            },
        ],
        "Phones": [
            {
                "PhoneType": "OFFICE",
                "PhoneNumber": "496 0472",
                "PhoneAreaCode": "0113",
                "PhoneCountryCode": "44",
            },
            {
                "PhoneType": "DEFAULT",
                "PhoneNumber": "496 0472",
                "PhoneAreaCode": "0113",
                "PhoneCountryCode": "44",
            },
        ],
        "ExternalLinks": [],
        "PaymentTerms": {
            "Sales": {"Day": 30, "Type": "DAYSAFTERBILLDATE"},
            "Bills": {"Day": 30, "Type": "OFCURRENTMONTH"},
        },
    }
