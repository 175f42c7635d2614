//go:build tools

// Package tools records the main packages built by scripts/install-pulumi-engine so that
// `go mod tidy` keeps their dependencies in go.mod and go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
