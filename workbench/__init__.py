"""Integration Health Check workbench: CRM <-> Xero discovery, profiling and a controlled invoice flow."""

__version__ = "0.1.0"
