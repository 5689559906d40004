# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. VAT
#
# The app's **VAT** page as a notebook: every invoice whose VAT is wrong or risky, checked against the
# organisation's own tax rates and recomputed the way Xero rounds (per line, 2 dp, half up). It pulls the
# sandbox demo first when the engagement has no data yet.

# %% tags=["parameters"]
ENGAGEMENT = "demo-notebook"  # a real client: the engagement you pulled into
SEED = 7  # the sandbox demo client pulled when the engagement is empty
ORGANISATIONS = 40  # its size in CRM organisations (None: the 300-organisation default)
KINDS: list[str] = []  # finding kinds to list, e.g. ["zero_rated_domestic_sale"] (empty: every kind)
SEVERITIES: list[str] = []  # e.g. ["high"] (empty: every severity)

# %%
from IPython.display import Markdown, display

from workbench.app_support import charts
from workbench.app_support import evidence as ev
from workbench.app_support import findings_view as fv
from workbench.connections import Connector
from workbench.profile.health import run_profile
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement

with Engagement.open(ENGAGEMENT) as engagement:
    if not engagement.snapshots():
        size = DemoSize.scaled(ORGANISATIONS) if ORGANISATIONS else DemoSize()
        with Connector(sandbox=Sandbox.demo(SEED, size)) as connector:
            for source in connector.sources(engagement):
                pull(engagement, source)
    tables = ProfileTables.from_engagement(engagement)
vat = run_profile(tables).vat
print(f"Data as of {tables.as_of:%d %b %Y}: {len(vat):,} VAT findings")
vat["severity"].value_counts()

# %% [markdown]
# ## By kind and severity
#
# High-severity kinds change what the client owes HMRC (VAT not charged on a UK sale, UK VAT on a
# reverse-charge service); the others are how the tax is entered (mixed Exclusive/Inclusive, rounding).

# %%
charts.findings_by_kind_figure(vat, "VAT findings by kind and severity")

# %%
chosen = fv.filter_findings(vat, KINDS, SEVERITIES)
fv.shown(chosen)

# %% [markdown]
# ## One finding opened
#
# The explanation and the fix in plain English, the evidence in pounds, and the invoices, deals and
# contacts it names, as the client will check them.

# %%
if chosen.empty:
    print("No VAT findings of those kinds and severities.")
else:
    finding = chosen.iloc[0]
    lines = "\n".join(ev.evidence_lines(finding["evidence"]))
    display(
        Markdown(
            f"**{finding['kind']}** · {finding['severity']}\n\n{finding['explanation']}\n\n"
            f"**Fix:** {finding['fix']}\n\n**Evidence**\n\n{lines}"
        )
    )
    for table, rows in ev.finding_records(tables, finding["records"]).items():
        display(Markdown(f"**{table}**"))
        display(ev.side_by_side(rows, table))

# %%
# every VAT finding as CSV (Excel reads the £ right), as the app's download gives it
with open(f"{ENGAGEMENT}-vat-findings.csv", "wb") as csv_file:
    csv_file.write(fv.findings_csv(vat))
print(f"Wrote {len(vat):,} findings to {ENGAGEMENT}-vat-findings.csv")
