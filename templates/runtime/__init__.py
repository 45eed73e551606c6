"""Hand-written runtime copied verbatim into every generated package as ``_runtime``.

It holds the HTTP core, errors and encoding helpers that generated code calls, so the
generated modules stay thin. Nothing is re-exported here: the generated package's own
``__init__`` decides its public surface.
"""
