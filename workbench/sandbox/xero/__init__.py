"""Emulator of Xero's identity service and Accounting API 2.0 (JSON), read from the official specs."""
