"""The sandbox's Pipedrive: API v2 deals, contacts, products, pipelines, fields; v1 users, currencies."""

from workbench.sandbox.pipedrive.emulator import PipedriveEmulator
from workbench.sandbox.pipedrive.limits import PipedriveLimits

__all__ = ["PipedriveEmulator", "PipedriveLimits"]
