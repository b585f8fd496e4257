"""The staff configuration: its schema, loading, validation with line numbers, reload."""
