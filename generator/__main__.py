"""``python -m mastra_codegen``: the same as the ``mastra-codegen`` command."""

from .cli import main

main()
