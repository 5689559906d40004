"""The controlled deal → draft invoice flow: build, validate, ledger, send, write back."""
