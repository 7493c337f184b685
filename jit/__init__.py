"""The llvmlite JIT tier (not built yet: see issue 5). Importing this package loads nothing."""
