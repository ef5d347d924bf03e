"""Sample results: categories, drafts and review."""
