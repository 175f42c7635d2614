// esc-oracle evaluates a Pulumi ESC environment definition from a folder of definitions
// (<dir>/<proj>/<env>.yaml) with the evaluator the Pulumi CLI itself uses (the SDK's
// go/common/esc/eval, symbolic: fn::open and fn::rotate are not called), and prints the
// evaluated values as JSON ({"values": ..., "diagnostics": [...]}). residency-guard's tests
// hold sources/esc.py to it (tests/engine/test_esc_oracle.py).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/esc"
	"github.com/pulumi/pulumi/sdk/v3/go/common/esc/eval"
)

type folder struct{ dir string }

func (f folder) LoadEnvironment(_ context.Context, name string) ([]byte, string, eval.Decrypter, error) {
	bare := strings.SplitN(name, "@", 2)[0]
	data, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(bare)+".yaml"))
	if err != nil {
		return nil, "", nil, fmt.Errorf("environment %q not found", name)
	}
	return data, bare, noDecrypter{}, nil
}

func (folder) AuthorizeImport(context.Context, string, string, bool) error { return nil }

type noProviders struct{}

func (noProviders) LoadProvider(_ context.Context, name string) (esc.Provider, error) {
	return nil, errors.New("no provider " + name)
}

func (noProviders) LoadRotator(_ context.Context, name string) (esc.Rotator, error) {
	return nil, errors.New("no rotator " + name)
}

type noDecrypter struct{}

func (noDecrypter) Decrypt(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("no decrypter")
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: esc-oracle DIR PROJ/ENV")
		os.Exit(2)
	}
	dir, name := os.Args[1], os.Args[2]
	loader := folder{dir}
	data, _, _, err := loader.LoadEnvironment(context.Background(), name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	decl, diags, err := eval.LoadYAMLBytes(name, data)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	exec, _ := esc.NewExecContext(nil)
	env, evalDiags := eval.CheckEnvironment(context.Background(), name, decl, noDecrypter{},
		noProviders{}, loader, exec, true, eval.EvalOptions{})
	diags = append(diags, evalDiags...)
	out := map[string]any{"diagnostics": []string{}}
	messages := []string{}
	for _, d := range diags {
		messages = append(messages, d.Summary)
	}
	out["diagnostics"] = messages
	if env != nil {
		out["values"] = esc.NewValue(env.Properties).ToJSON(false)
	}
	encoded, _ := json.Marshal(out)
	fmt.Println(string(encoded))
}
