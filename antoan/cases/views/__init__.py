"""The case-management pages. Thin: parse, call one service or selector, render."""
