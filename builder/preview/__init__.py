"""`newsroom serve`: the preview server."""
