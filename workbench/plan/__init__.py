"""The client's field-mapping plan: the model, defaults proposed from the pull, checks against the
tenant's real codes, and the versions kept in the engagement."""
