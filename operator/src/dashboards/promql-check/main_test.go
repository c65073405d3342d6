package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func dashboard(t *testing.T, exprs ...string) string {
	t.Helper()
	targets := make([]string, len(exprs))
	for i, e := range exprs {
		q := strings.ReplaceAll(strings.ReplaceAll(e, `\`, `\\`), `"`, `\"`)
		targets[i] = `{"refId": "A", "expr": "` + q + `"}`
	}
	doc := `{"panels": [{"title": "Reconciles", "type": "timeseries", "targets": [` + strings.Join(targets, ",") + `]}]}`
	f := filepath.Join(t.TempDir(), "d.json")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAcceptsWhatPrometheusAccepts(t *testing.T) {
	f := dashboard(t,
		`sum by (controller) (rate(controller_runtime_reconcile_total{result="error"}[$__rate_interval]))`,
		`histogram_quantile(0.99, sum by (le) (rate(workqueue_queue_duration_seconds_bucket[${__rate_interval}])))`,
		`increase(paygrid_failovers_total[$__range]) > bool 0`,
		`1`,
	)
	n, problems, err := check(f)
	if err != nil || n != 4 || len(problems) != 0 {
		t.Fatalf("n=%d problems=%v err=%v", n, problems, err)
	}
}

func TestRefusesWhatPrometheusRefuses(t *testing.T) {
	for name, c := range map[string]struct{ expr, says string }{
		"syntax":          {`sum(rate(x_total[5m])`, "unclosed left parenthesis"},
		"range vector":    {`rate(x_total[5m])[10m:]`, "a panel needs an instant vector"},
		"type":            {`rate(x_total)`, "expected type range vector"},
		"unknown func":    {`ratez(x_total[5m])`, "unknown function"},
		"unknown var":     {`rate(x_total[$window])`, "dashboard variable promql-check does not know"},
		"bad aggregation": {`sum by (le (x)`, "unexpected"},
	} {
		t.Run(name, func(t *testing.T) {
			_, problems, err := check(dashboard(t, c.expr))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 || !strings.Contains(problems[0], c.says) || !strings.Contains(problems[0], `panel "Reconciles"`) {
				t.Fatalf("want one problem naming the panel and saying %q, got %q", c.says, problems)
			}
		})
	}
}

func TestTheChartDashboards(t *testing.T) {
	files, err := filepath.Glob("../../../../charts/paygrid/dashboards/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards found: %v", err)
	}
	for _, f := range files {
		n, problems, err := check(f)
		if err != nil || n == 0 || len(problems) > 0 {
			t.Errorf("%s: %d expressions, problems %v, err %v", f, n, problems, err)
		}
	}
}
