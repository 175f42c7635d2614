"""residency-guard's checkov external checks (checkov execs each file under its bare name)."""
