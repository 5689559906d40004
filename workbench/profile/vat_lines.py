"""Sales invoice lines ready for VAT rules: amounts in pence, the tenant's reading of each tax code, and
what the tenant's own catalogue says the product sold should carry.

"Standard-rated" is decided from the tenant's data, never from a list of codes: the Xero item's default
sales tax type first (the bookkeeper's setting, and the one that knows printed books are zero-rated),
then the CRM product's tax %, then the default tax type of the account the line is posted to (weakest:
a general Sales account defaults to 20% whatever is sold through it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.profile.links import live_sales_invoices
from workbench.profile.tables import ProfileTables
from workbench.profile.vat_money import PERCENT, RATE_SCALE, half_up, to_pence, to_rate_units
from workbench.profile.vat_rates import CHARGED, OTHER
from workbench.profile.vat_text import Distinct, codes, lookup, normal_code, normal_text

ITEM, PRODUCT, ACCOUNT = "item", "product", "account"
EXPECTED_COLUMNS = ["expected_treatment", "expected_source", "expected_code", "expected_units"]
_INVOICE_COLUMNS = [
    "invoice_id",
    "invoice_number",
    "reference",
    "contact_id",
    "status",
    "line_amount_types",
    "currency",
    "date",
]


def _head(description: str) -> str:
    """The part of a description before a ' - ' note (a billing month, a site name)."""
    return description.rsplit(" - ", 1)[0]


def product_keys(lines: pd.DataFrame, tables: ProfileTables) -> pd.Series:
    """What each line sells, as a product code: its item code, else the Xero item or CRM product whose
    name the description is (whole, or before a ' - ' note such as a billing month); None if unknown."""
    by_name: dict[str, str] = {}
    for frame in (tables["products"], tables["items"]):  # Xero's item wins a name both have
        for name, code in zip(frame["name"], frame["code"], strict=True):
            if isinstance(name, str) and isinstance(code, str):
                name_key, code_key = normal_text(name), normal_code(code)
                if name_key and code_key:
                    by_name[name_key] = code_key
    description = Distinct(lines["description"], normal_text)
    named = description.apply(lambda text: by_name.get(text) or by_name.get(_head(text)))
    key = Distinct(lines["item_code"], normal_code).column()
    return key.where(key.notna(), named)


def _expected_table(keys: pd.Series, tax_types: pd.Series, rates: pd.DataFrame, source: str) -> pd.DataFrame:
    tax_types = codes(tax_types)
    return pd.DataFrame(
        {
            "expected_treatment": lookup(tax_types, rates["treatment"]).to_numpy(),
            "expected_units": lookup(tax_types, rates["rate_units"]).to_numpy(),
            "expected_source": source,
            "expected_code": tax_types.to_numpy(),
        },
        index=keys.to_numpy(),
    )


def expectations(tables: ProfileTables, rates: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by product code, by account code): the treatment, rate and source the tenant's setup expects."""
    items = tables["items"]
    items = items[codes(items["code"]).notna() & items["sales_tax_type"].notna()]
    by_item = _expected_table(codes(items["code"]), items["sales_tax_type"], rates, ITEM)
    products = tables["products"]
    products = products[codes(products["code"]).notna() & products["tax_percent"].notna()]
    percent = to_rate_units(products["tax_percent"])
    by_product = pd.DataFrame(
        {
            # A CRM 0% does not say whether the product is zero-rated, exempt or outside the scope.
            "expected_treatment": percent.gt(0).map({True: CHARGED, False: OTHER}).to_numpy(),
            "expected_units": percent.to_numpy(),
            "expected_source": PRODUCT,
            "expected_code": [f"{int(p) / RATE_SCALE:g}%" for p in percent],
        },
        index=codes(products["code"]).to_numpy(),
    )
    by_product = by_product[~by_product.index.isin(by_item.index)]
    accounts = tables["accounts"]
    accounts = accounts[codes(accounts["code"]).notna() & accounts["tax_type"].notna()]
    by_account = _expected_table(codes(accounts["code"]), accounts["tax_type"], rates, ACCOUNT)
    return pd.concat([by_item, by_product]), by_account


def item_treatments(tables: ProfileTables, rates: pd.DataFrame) -> pd.Series:
    """Xero item code -> the treatment of its default sales tax type."""
    items = tables["items"]
    return pd.Series(
        lookup(codes(items["sales_tax_type"]), rates["treatment"]).to_numpy(), index=codes(items["code"])
    )


def live_invoices(tables: ProfileTables) -> pd.DataFrame:
    """The live sales (ACCREC) invoices, numbered 0..n-1 (one row each: invoice_id is the table's key)."""
    return live_sales_invoices(tables).reset_index(drop=True)


def sales_lines(
    tables: ProfileTables, rates: pd.DataFrame, invoices: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """One row per line of the live sales `invoices` (`live_invoices`), with the invoice's fields and
    `invoice_code` (its row in `invoices`), `line_pence`,
    `tax_pence`, the line tax code's `known` / `active` / `revenue` / `rate_units` / `treatment`, its
    `product`, the `expected_*` treatment the tenant's setup gives it (EXPECTED_COLUMNS) and the
    customer's `customer_location` / `customer_vat_number` / `customer_vat_prefix` (from `customers`,
    `vat_customers.Customers.profile`)."""
    raw = tables["invoice_lines"]
    code = pd.Index(invoices["invoice_id"]).get_indexer(raw["invoice_id"])
    raw, code = raw[code >= 0].reset_index(drop=True), code[code >= 0]
    # Built as one dict of columns: adding 30 columns one by one to a 400,000-row frame makes pandas
    # copy it over and over to consolidate its blocks.
    columns: dict[str, object] = {
        name: raw[name].to_numpy()
        for name in ("invoice_id", "line_id", "position", "description", "item_code", "account_code")
    }
    for name in _INVOICE_COLUMNS[1:]:
        columns[name] = invoices[name].to_numpy()[code]
    columns["invoice_code"] = code
    columns["line_pence"] = to_pence(raw["line_amount"]).array
    columns["tax_pence"] = to_pence(raw["tax_amount"]).array
    tax_type = Distinct(raw["tax_type"], normal_code)
    columns["tax_type"] = tax_type.column().to_numpy()
    columns["known"] = tax_type.spread(c is not None and c in rates.index for c in tax_type.values).to_numpy(
        dtype=bool, na_value=False
    )
    for name in ("active", "revenue", "treatment"):
        columns[name] = tax_type.lookup(rates[name]).to_numpy()
    columns["rate_units"] = tax_type.lookup_int(rates["rate_units"]).array
    product = Distinct(product_keys(raw, tables))
    columns["product"] = product.column().to_numpy()
    by_product, by_account = expectations(tables, rates)
    account = Distinct(raw["account_code"], normal_code)
    from_product = product.lookup(by_product["expected_source"]).notna()
    for name in EXPECTED_COLUMNS[:-1]:
        columns[name] = product.lookup(by_product[name]).where(from_product, account.lookup(by_account[name]))
    columns["expected_units"] = (
        product.lookup_int(by_product["expected_units"])
        .where(from_product, account.lookup_int(by_account["expected_units"]))
        .array
    )
    contact = Distinct(pd.Series(columns["contact_id"]))
    for name in ("location", "vat_number", "vat_prefix"):
        columns[f"customer_{name}"] = contact.lookup(customers[name]).to_numpy()
    # The columns rules compare against constants, as categories: comparing 400,000 strings is slow.
    for name in ("treatment", "line_amount_types", "customer_location", "expected_treatment"):
        columns[name] = pd.Categorical(columns[name])
    return pd.DataFrame(columns, copy=False)


def invoice_sums(invoices: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Per invoice (rows as `invoices`), from its lines as Xero totals them: subtotal and tax (pence),
    line count, the lowest and highest VAT rate charged, and VAT worked out once on its net per rate
    (what a CRM that computes VAT on the total gets)."""
    count = len(invoices)
    code = lines["invoice_code"].to_numpy()
    amount = lines["line_pence"].fillna(0).to_numpy(dtype=np.int64)
    tax = lines["tax_pence"].fillna(0).to_numpy(dtype=np.int64)
    inclusive = (lines["line_amount_types"] == "Inclusive").to_numpy()
    rate = lines["rate_units"].fillna(0).to_numpy(dtype=np.int64)

    def total(values: np.ndarray, at: np.ndarray = code) -> np.ndarray:
        out = np.zeros(count, dtype=np.int64)
        np.add.at(out, at, values)
        return out

    taxed = rate > 0
    low = np.full(count, np.iinfo(np.int64).max)
    high = np.zeros(count, dtype=np.int64)
    np.minimum.at(low, code[taxed], rate[taxed])
    np.maximum.at(high, code[taxed], rate[taxed])
    # VAT on the net per (invoice, rate): few distinct rates, so a dense invoice x rate table.
    rate_code, rates = pd.factorize(rate[taxed])
    per_rate = np.zeros((count, max(1, len(rates))), dtype=np.int64)
    np.add.at(per_rate, (code[taxed], rate_code), amount[taxed])
    on_total = half_up(per_rate * np.asarray(rates, dtype=np.int64)[None, : per_rate.shape[1]], PERCENT)
    return pd.DataFrame(
        {
            "subtotal": total(np.where(inclusive, amount - tax, amount)),
            "tax": total(tax),
            "lines": total(np.ones(len(code), dtype=np.int64)),
            "vat_on_total": on_total.sum(axis=1) if len(rates) else np.zeros(count, dtype=np.int64),
            "low_rate": pd.array(np.where(high > 0, low, 0), dtype="Int64"),
            "high_rate": pd.array(high, dtype="Int64"),
        },
        index=invoices.index,
    )
