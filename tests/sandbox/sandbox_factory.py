"""Whole sandboxes for tests: the hand-made small tenant, or the generated demo client."""

from __future__ import annotations

from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize, generate_demo_client


def small_sandbox(seed: int = 3, **options: object) -> Sandbox:
    """A generated demo client at a tenth of the default size: quick to build, still realistic."""
    size = DemoSize(organisations=40, people=80, deals=200, xero_contacts=50, invoices=300)
    return Sandbox(generate_demo_client(seed, size), **options)  # type: ignore[arg-type]
