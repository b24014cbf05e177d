"""Business rules: the sandboxed expression evaluator, decision tables and validators."""
