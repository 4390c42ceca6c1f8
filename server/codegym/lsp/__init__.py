"""The language server: LSP glue over content, sandbox and grading."""
