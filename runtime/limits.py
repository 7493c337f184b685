"""Process-wide limits, as Tengo's package-level ``MaxStringLen`` and ``MaxBytesLen``.

Strings and bytes values built by the runtime (concatenation, ``format``, ``bytes(n)``, stdlib
functions) longer than these raise ``OpError("exceeding string size limit")`` /
``OpError("exceeding bytes size limit")``.
"""
MAX_STRING_LEN = 2147483647
MAX_BYTES_LEN = 2147483647
