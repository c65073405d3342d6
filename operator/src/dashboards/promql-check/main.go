// promql-check parses every PromQL expression of the chart's Grafana dashboards with Prometheus's
// own parser (github.com/prometheus/prometheus/promql/parser), which type-checks as it parses, so a
// query Prometheus would refuse fails here and not on an SRE's screen. The TypeScript test beside
// it (dashboards.test.ts) checks the metric and label names; this checks the syntax and types.
//
//	go run . ../../../../charts/paygrid/dashboards/*.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// Grafana's built-in interval variables, as Grafana substitutes them before Prometheus sees the
// query: a duration each. A dashboard variable not listed here fails the check, so a new one is
// added here on purpose.
var grafanaVariables = map[string]string{
	"$__rate_interval":   "1m",
	"${__rate_interval}": "1m",
	"$__interval":        "30s",
	"${__interval}":      "30s",
	"$__range":           "1h",
	"${__range}":         "1h",
}

type query struct {
	panel string
	expr  string
}

// queries walks a dashboard for panels' targets, naming each by its panel title.
func queries(node any, panel string, out *[]query) {
	switch v := node.(type) {
	case map[string]any:
		if title, ok := v["title"].(string); ok && v["targets"] != nil {
			panel = title
		}
		if expr, ok := v["expr"].(string); ok {
			*out = append(*out, query{panel, expr})
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			queries(v[k], panel, out)
		}
	case []any:
		for _, x := range v {
			queries(x, panel, out)
		}
	}
}

// check returns one line per expression Prometheus would refuse.
func check(file string) (int, []string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return 0, nil, err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return 0, nil, fmt.Errorf("%s: not JSON: %w", file, err)
	}
	var qs []query
	queries(doc, "", &qs)
	// Prometheus's defaults: no experimental functions, so a dashboard works on a stock server.
	promql := parser.NewParser(parser.Options{})
	var problems []string
	for _, q := range qs {
		expr := q.expr
		// Longest names first, so that no name is replaced inside a longer one.
		names := make([]string, 0, len(grafanaVariables))
		for k := range grafanaVariables {
			names = append(names, k)
		}
		sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
		for _, k := range names {
			expr = strings.ReplaceAll(expr, k, grafanaVariables[k])
		}
		if strings.Contains(expr, "$") {
			problems = append(problems, fmt.Sprintf("%s, panel %q: a dashboard variable promql-check does not know: %s (add it to grafanaVariables)", file, q.panel, q.expr))
			continue
		}
		parsed, err := promql.ParseExpr(expr)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s, panel %q: %v\n    %s", file, q.panel, err, q.expr))
			continue
		}
		// A panel plots instant vectors or scalars; a range vector or a string is an error there.
		if t := parsed.Type(); t != parser.ValueTypeVector && t != parser.ValueTypeScalar {
			problems = append(problems, fmt.Sprintf("%s, panel %q: the query is a %s; a panel needs an instant vector or a scalar\n    %s", file, q.panel, t, q.expr))
		}
	}
	return len(qs), problems, nil
}

// prometheusVersion is the version of the parser this binary was built with (from go.mod).
func prometheusVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "github.com/prometheus/prometheus" {
				return d.Version
			}
		}
	}
	return "(unknown)"
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: promql-check DASHBOARD.json...")
		os.Exit(2)
	}
	total, failed := 0, 0
	for _, f := range os.Args[1:] {
		n, problems, err := check(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		if n == 0 {
			fmt.Fprintf(os.Stderr, "error: %s has no PromQL expression (expr)\n", f)
			os.Exit(1)
		}
		total += n
		failed += len(problems)
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "error:", p)
		}
	}
	fmt.Printf("promql-check: %d expressions in %d dashboards, parsed by Prometheus %s's parser: %d refused\n", total, len(os.Args)-1, prometheusVersion(), failed)
	if failed > 0 {
		os.Exit(1)
	}
}
