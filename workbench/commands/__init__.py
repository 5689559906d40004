"""The `workbench` command's sub-commands: each module registers its own parser and runs one job."""
