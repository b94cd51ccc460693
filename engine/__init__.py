"""The engine adapter: the only code that imports SpiffWorkflow (run, load/dump, validation, migration)."""
