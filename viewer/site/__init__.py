"""The browsable site: page contexts, templates in two languages, charts, views and the builder."""
