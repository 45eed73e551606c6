"""The override YAML shipped for Mastra, packaged as data (see README.md here)."""
