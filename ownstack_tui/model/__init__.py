"""Pure data and rules: no I/O anywhere below this package."""
