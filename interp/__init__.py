"""Front end and baseline tier: scanner, parser, resolver, Python code generator."""
