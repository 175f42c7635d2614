"""The reference program (see components/ and the README)."""
