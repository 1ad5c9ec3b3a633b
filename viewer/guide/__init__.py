"""The migration guide: MkDocs hooks that fill in the contract, and the build."""
