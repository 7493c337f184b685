"""The tengojit version the command line and the REPL print."""
VERSION = "0.1.0"
