"""Hostile values for form fields and query parameters, as hypothesis strategies: what an
attacker or a careless client sends (digits that are not ASCII, numbers past 64 bits and past a
float, calendar extremes, control characters, very long text, unicode), mixed with the plausible
values a page expects so that a request gets past its first check and reaches the deeper ones.

Used by the property-based suites over the pages (``tests/bakedbot/test_hostile_pages.py``); the
API has its own (schemathesis and its property tests).
"""

from __future__ import annotations

from hypothesis import strategies as st

LONG = 50_000

# Each names what it probes; the suites draw from them, shrinking toward the start of the list.
HOSTILE_VALUES: tuple[str, ...] = (
    "",
    " ",
    # Digits that pass str.isdigit but not int(): superscript, circled, Arabic-Indic, full width.
    "\u00b2",
    "\u2460",
    "\u0661\u0662",
    "\uff11\uff12",
    "\u00b2\u2070\u00b2\u2076-01-01",
    # Past a signed 64-bit integer, past a double, not finite, negative zero, negatives.
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999999999999",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "-0",
    "-1",
    "0",
    "0.0000001",
    "5.5",
    "1,000",
    # Words a lenient parser takes for a bool or a null.
    "true",
    "null",
    # The ends of the calendar, and past them.
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "10000-01-01",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-30",
    # Control characters.
    "\x00",
    "a\x00b",
    "\t",
    "\r",
    "\r\n=1+1",
    "\t=1+1",
    "\x1b[31m",
    # Markup, LIKE wildcards, paths, unicode.
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "_%_",
    "../../etc/passwd",
    "\u00e9\u2713\U0001f642",
    "\u202e",
    "\ufeff",
    "\ud7ff",
    # Very long text, plain and as a LIKE pattern.
    "A" * LONG,
    "%_" * (LONG // 2),
    "\u00b2" * LONG,
)


def hostile_text() -> st.SearchStrategy[str]:
    """One hostile value, or short arbitrary text (any code point but surrogates, which no HTTP
    client can send)."""
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    )
