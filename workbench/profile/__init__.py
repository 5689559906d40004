"""The health profile: what will break a sync, each finding backed by the records involved.

Every analysis is a function from canonical tables (`ProfileTables`) to a findings table
(`workbench.profile.findings`); none prints, reads files or calls a source.
"""
