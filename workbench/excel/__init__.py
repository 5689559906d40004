"""The client's mapping workbook: export a plan version to Excel, read the edited file back into a
validated plan, and show the client's changes."""
