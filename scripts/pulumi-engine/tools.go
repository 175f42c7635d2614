//go:build tools

// Package tools records the Pulumi CLI main package built by scripts/install-pulumi-engine so that
// `go mod tidy` keeps its dependencies in go.mod and go.sum. The Python language host is the local
// package ./cmd/pulumi-language-python (see NOTES.md for why).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
