"""mastra-codegen: turn a Mastra server's OpenAPI document into a typed Python client."""

__version__ = "0.1.0"
