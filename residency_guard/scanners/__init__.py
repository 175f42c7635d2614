"""Scanners: turn files into stacks, values and resources for the rules."""
