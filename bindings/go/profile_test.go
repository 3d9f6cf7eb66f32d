package cfp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The "cuda" cost model through the binding. CFP_FAKE_DEVICE selects a simulated GPU that
// times kernels by their roofline, so the whole path (profile, save, reuse) runs without one.

func TestAnalyticPlansHaveNoCostNotes(t *testing.T) {
	plan, err := Optimize(buildModel(t, mlpSpec), newOptions(t, Mesh(2)))
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	if notes, err := plan.CostNotes(); err != nil || notes != "" {
		t.Fatalf("CostNotes() = %q, %v; want an empty string", notes, err)
	}
}

func TestProfilingNeedsTheCudaCostModel(t *testing.T) {
	_, err := Profile(buildModel(t, mlpSpec), newOptions(t, Mesh(2)))
	var e *Error
	if !errors.Is(err, ErrInvalidArgument) || !errors.As(err, &e) || !strings.Contains(e.Message, `"cuda" cost model`) {
		t.Fatalf("Profile with the analytic model: %v", err)
	}
}

func TestAProfiledModelIsPlannedFromTheDatabaseAlone(t *testing.T) {
	t.Setenv("CFP_FAKE_DEVICE", "name=demo-gpu,devices=1")
	db := filepath.Join(t.TempDir(), "profile.cfpdb")
	g := buildModel(t, mlpSpec)
	o := newOptions(t, Mesh(2), CostModel("cuda"), ProfileDB(db))
	report, err := Profile(g, o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(report, "profiled on demo-gpu") || !strings.Contains(report, " 0 reused") ||
		!strings.Contains(report, db) {
		t.Fatalf("report:\n%s", report)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}
	plan, err := Optimize(g, o)
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	profiled, _ := plan.Stat(StatConfigurationsProfiled)
	reused, _ := plan.Stat(StatConfigurationsReused)
	if profiled != 0 || reused <= 0 {
		t.Fatalf("profiled %v, reused %v configurations; want all reused", profiled, reused)
	}
	notes, err := plan.CostNotes()
	if err != nil || !strings.Contains(notes, "demo-gpu") || !strings.Contains(notes, db) {
		t.Fatalf("CostNotes() = %q, %v", notes, err)
	}
}
