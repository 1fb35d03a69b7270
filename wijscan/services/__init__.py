"""Use cases: load rows, call the pure core, write. They flush; the request commits."""
