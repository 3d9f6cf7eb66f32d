package cfp

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	gptSpec = "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000"
	// Optimizes in milliseconds: for the checks that need a search but not a GPT.
	mlpSpec = "mlp:layers=2,hidden=256,batch=8"
)

// The small GPT is optimized once on a 2x2 mesh and shared by the tests that examine it.
var gptFixture struct {
	once sync.Once
	g    *Graph
	o    *Options
	p    *Plan
	err  error
}

func optimizedGpt(t *testing.T) (*Graph, *Options, *Plan) {
	t.Helper()
	f := &gptFixture
	f.once.Do(func() {
		if f.g, f.err = BuildModel(gptSpec); f.err != nil {
			return
		}
		if f.o, f.err = NewOptions(Mesh(2, 2), Threads(2)); f.err != nil {
			return
		}
		f.p, f.err = Optimize(f.g, f.o)
	})
	if f.err != nil {
		t.Fatal(f.err)
	}
	return f.g, f.o, f.p
}

func buildModel(t *testing.T, spec string) *Graph {
	t.Helper()
	g, err := BuildModel(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func newOptions(t *testing.T, settings ...Option) *Options {
	t.Helper()
	o, err := NewOptions(settings...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// must returns v, or stops the test with err. Go cannot pass a call's two results along
// with a *testing.T, so the failure is a panic, which `go test` reports with this stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func assertClose(t *testing.T, what string, want, got float64) {
	t.Helper()
	if math.Abs(want-got) > 1e-9*math.Max(1e-12, math.Abs(want)) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func strategiesOf(t *testing.T, p *Plan, g *Graph) []uint32 {
	t.Helper()
	choice := make([]uint32, must(g.OpCount()))
	for op := range choice {
		choice[op] = must(p.OpStrategy(uint32(op)))
	}
	return choice
}

func TestStepTimeIsComputePlusCommunication(t *testing.T) {
	_, _, p := optimizedGpt(t)
	compute, comm := must(p.ComputeTime()), must(p.CommTime())
	if compute <= 0 || comm <= 0 {
		t.Fatalf("compute %v, communication %v", compute, comm)
	}
	assertClose(t, "step time", compute+comm, must(p.StepTime()))
	if must(p.PeakMemory()) == 0 {
		t.Fatal("peak memory is 0")
	}
}

func TestCollectivesAddUpToTheCommunicationTime(t *testing.T) {
	g, _, p := optimizedGpt(t)
	all := must(p.Collectives())
	if n := must(p.CollectiveCount()); int(n) != len(all) || n == 0 {
		t.Fatalf("CollectiveCount() = %d, Collectives() has %d", n, len(all))
	}
	ops, tensors := must(g.OpCount()), must(g.TensorCount())
	sum := 0.0
	for _, c := range all {
		sum += c.Time
		if c.Tensor >= tensors || c.MeshAxes == 0 || c.MeshAxes&^0b11 != 0 || c.Bytes == 0 ||
			c.BeforeOp < -1 || c.BeforeOp >= int64(ops) || c.Kind.String() == "" {
			t.Fatalf("implausible collective: %v", c)
		}
	}
	assertClose(t, "sum of collective times", must(p.CommTime()), sum)
	if first := must(p.Collective(0)); first != all[0] {
		t.Fatalf("Collective(0) = %v, Collectives()[0] = %v", first, all[0])
	}
	if _, err := p.Collective(uint32(len(all))); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("Collective past the end: %v", err)
	}
}

func TestEvaluatingThePlansOwnStrategiesReproducesIt(t *testing.T) {
	g, o, p := optimizedGpt(t)
	choice := strategiesOf(t, p, g)
	again := must(Evaluate(g, o, choice))
	defer again.Close()
	assertClose(t, "step time", must(p.StepTime()), must(again.StepTime()))
	assertClose(t, "compute time", must(p.ComputeTime()), must(again.ComputeTime()))
	if a, b := must(p.PeakMemory()), must(again.PeakMemory()); a != b {
		t.Fatalf("peak memory %d vs %d", a, b)
	}
	if !reflect.DeepEqual(must(p.Collectives()), must(again.Collectives())) {
		t.Fatal("the evaluated plan has other collectives")
	}
	if !reflect.DeepEqual(choice, strategiesOf(t, again, g)) {
		t.Fatal("the evaluated plan has other strategies")
	}
	if b := must(again.OpBlock(0)); b != NoBlock {
		t.Fatalf("OpBlock of an evaluated plan = %d", b)
	}
}

func TestEveryOpHasAStrategyFromItsOwnListAndABlock(t *testing.T) {
	g, o, p := optimizedGpt(t)
	blocks := must(p.BlockCount())
	ops := must(g.OpCount())
	if blocks == 0 || float64(blocks) != must(p.Stat(StatBlocks)) || float64(ops) != must(p.Stat(StatOps)) {
		t.Fatalf("blocks %d, stats %v / %v", blocks, must(p.Stat(StatBlocks)), must(p.Stat(StatOps)))
	}
	if must(p.UniqueSegmentCount()) > must(p.SegmentCount()) {
		t.Fatal("more unique segments than segments")
	}
	for op := uint32(0); op < ops; op++ {
		count := must(StrategyCount(g, o, op))
		if s := must(p.OpStrategy(op)); s >= count {
			t.Fatalf("op %d: strategy %d of %d", op, s, count)
		}
		if b := must(p.OpBlock(op)); b >= blocks {
			t.Fatalf("op %d: block %d of %d", op, b, blocks)
		}
	}
	for tensor := uint32(0); tensor < must(g.TensorCount()); tensor++ {
		if s := must(p.TensorSharding(tensor)); !strings.HasPrefix(s, "[") {
			t.Fatalf("tensor %d sharding %q", tensor, s)
		}
	}
	if _, err := p.OpStrategy(ops); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("OpStrategy past the end: %v", err)
	}
}

func TestStrategiesAreDescribedInWords(t *testing.T) {
	g, o, p := optimizedGpt(t)
	dot := NoOp
	for op := uint32(0); dot == NoOp; op++ {
		if must(g.OpKind(op)) == OpDot {
			dot = op
		}
	}
	count := must(StrategyCount(g, o, dot))
	if count < 2 {
		t.Fatalf("a dot with %d strategies", count)
	}
	if s := must(DescribeStrategy(g, o, dot, must(p.OpStrategy(dot)))); s == "" {
		t.Fatal("empty description")
	}
	if must(DescribeStrategy(g, o, dot, 0)) == must(DescribeStrategy(g, o, dot, 1)) {
		t.Fatal("two strategies with one description")
	}
	_, err := DescribeStrategy(g, o, dot, count)
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusOutOfRange || !strings.Contains(e.Message, "out of range") {
		t.Fatalf("strategy past the end: %v", err)
	}
}

func TestPlanRoundTripsThroughBytes(t *testing.T) {
	g, _, p := optimizedGpt(t)
	data := must(p.Bytes())
	loaded := must(LoadPlan(data))
	defer loaded.Close()
	if must(p.StepTime()) != must(loaded.StepTime()) || must(p.Objective()) != must(loaded.Objective()) ||
		must(p.PeakMemory()) != must(loaded.PeakMemory()) ||
		must(p.IsOptimal()) != must(loaded.IsOptimal()) {
		t.Fatal("the loaded plan predicts otherwise")
	}
	if !reflect.DeepEqual(must(p.Collectives()), must(loaded.Collectives())) ||
		!reflect.DeepEqual(strategiesOf(t, p, g), strategiesOf(t, loaded, g)) {
		t.Fatal("the loaded plan differs")
	}
	for tensor := uint32(0); tensor < must(g.TensorCount()); tensor++ {
		if must(p.TensorSharding(tensor)) != must(loaded.TensorSharding(tensor)) {
			t.Fatalf("tensor %d is sharded otherwise", tensor)
		}
	}
	if !bytes.Equal(data, must(loaded.Bytes())) {
		t.Fatal("the loaded plan serializes to other bytes")
	}
}

func TestJSONNamesTheGraph(t *testing.T) {
	g, _, p := optimizedGpt(t)
	name := must(g.Name())
	json := string(must(p.JSON()))
	if name == "" || !strings.HasPrefix(json, "{") || !strings.Contains(json, strconv.Quote(name)) {
		t.Fatalf("graph %q, JSON %.200s", name, json)
	}
}

func TestGarbageIsNotAPlan(t *testing.T) {
	_, err := LoadPlan([]byte{1, 2, 3, 4, 5, 6, 7, 8})
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusInvalidData || !strings.HasPrefix(e.Message, "cfp_plan_from_buffer: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestAnInfeasibleBudgetSaysWhatTheSmallestPlanNeeds(t *testing.T) {
	g := buildModel(t, mlpSpec)
	o := newOptions(t, Mesh(2, 2), MemoryBudget(1))
	p, err := Optimize(g, o)
	var e *Error
	if p != nil || !errors.As(err, &e) || !errors.Is(err, ErrInfeasible) {
		t.Fatalf("plan %v, err %v", p, err)
	}
	if !strings.HasPrefix(e.Message, "cfp_optimize: no plan fits the memory budget") {
		t.Fatalf("message %q", e.Message)
	}
	m := regexp.MustCompile(`smallest plan needs (\d+) bytes`).FindStringSubmatch(e.Message)
	if m == nil {
		t.Fatalf("message %q does not say what the smallest plan needs", e.Message)
	}
	smallest := must(MinMemory(g, o))
	if strconv.FormatUint(smallest, 10) != m[1] {
		t.Fatalf("MinMemory = %d, the message says %s", smallest, m[1])
	}
	// At exactly that budget a plan exists, and it fits.
	if err := o.Set(MemoryBudget(smallest)); err != nil {
		t.Fatal(err)
	}
	fits := must(Optimize(g, o))
	defer fits.Close()
	if peak := must(fits.PeakMemory()); peak > smallest {
		t.Fatalf("peak %d > budget %d", peak, smallest)
	}
}

// buildDenselyConnected builds layers of dots on a [256,256] activation, each layer's dot
// reading the sum of every earlier layer's output: its blocks and costs take milliseconds,
// but its exact search on a 2x2 mesh runs for minutes.
func buildDenselyConnected(t *testing.T, layers int) *Graph {
	t.Helper()
	b, err := NewGraphBuilder("densely-connected")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	id := func(id uint32, err error) uint32 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const rows, width = 256, 256
	act := []int64{rows, width}
	outs := []uint32{id(b.AddTensor("x", F32, act, RoleDataInput))}
	for l := 0; l < layers; l++ {
		layer := "layer" + strconv.Itoa(l)
		// Latest first, so every add follows the previous layer's dot and reads the others.
		sum := outs[len(outs)-1]
		for j := len(outs) - 2; j >= 0; j-- {
			next := id(b.AddTensor(layer+".sum"+strconv.Itoa(j), F32, act, RoleActivation))
			id(b.AddOp(layer+".add"+strconv.Itoa(j), OpAdd, []uint32{sum, outs[j]}, []uint32{next}))
			sum = next
		}
		w := id(b.AddTensor(layer+".w", F32, []int64{width, width}, RoleParameter))
		h := id(b.AddTensor(layer+".h", F32, act, RoleActivation))
		dot := id(b.AddOp(layer+".dot", OpDot, []uint32{sum, w}, []uint32{h}))
		check(b.SetOpInts(dot, AttrLhsContract, 1))
		check(b.SetOpInts(dot, AttrRhsContract, 0))
		outs = append(outs, h)
	}
	g, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestHittingTheTimeLimitIsAnError(t *testing.T) {
	t.Run("before the search", func(t *testing.T) {
		// A nanosecond passes before the search starts, so there is no plan yet.
		g, _, _ := optimizedGpt(t)
		o := newOptions(t, Mesh(2, 2), TimeLimit(time.Nanosecond))
		best, err := Optimize(g, o)
		var e *Error
		if !errors.Is(err, ErrTimeLimit) || !errors.As(err, &e) || !strings.Contains(e.Message, "time limit") {
			t.Fatalf("err = %v", err)
		}
		if best != nil {
			best.Close()
			t.Fatal("a time limit that passes before the search has no plan to return")
		}
	})
	t.Run("during the search", func(t *testing.T) {
		// The exact search of this graph on a 2x2 mesh runs for minutes.
		g := buildDenselyConnected(t, 10)
		o := newOptions(t, Mesh(2, 2), Threads(1), TimeLimit(500*time.Millisecond))
		best, err := Optimize(g, o)
		if best != nil {
			defer best.Close()
		}
		var e *Error
		if !errors.Is(err, ErrTimeLimit) || !errors.As(err, &e) || !strings.Contains(e.Message, "passed during search") {
			t.Fatalf("err = %v", err)
		}
		if best == nil {
			t.Fatal("a search stopped by its time limit returns the best plan found")
		}
		if must(best.StepTime()) <= 0 {
			t.Fatal("the best plan so far has no step time")
		}
		if must(best.IsOptimal()) {
			t.Fatal("a plan found before the time limit stopped the search is not proven optimal")
		}
	})
}

func TestCostSettingsChangeThePrice(t *testing.T) {
	g := buildModel(t, mlpSpec)
	o := newOptions(t, Mesh(2, 2))
	zeros := make([]uint32, must(g.OpCount()))
	price := func() *Plan {
		p := must(Evaluate(g, o, zeros))
		t.Cleanup(func() { p.Close() })
		return p
	}
	compute := must(price().ComputeTime())
	if compute <= 0 {
		t.Fatalf("compute time %v", compute)
	}
	if err := o.Set(ComputeScale(2)); err != nil {
		t.Fatal(err)
	}
	assertClose(t, "doubled compute time", 2*compute, must(price().ComputeTime()))
	// Two micro-batches: forward and backward twice, the update once.
	if err := o.Set(ComputeScale(1), Microbatches(2)); err != nil {
		t.Fatal(err)
	}
	if c := must(price().ComputeTime()); !(c > compute && c < 2*compute) {
		t.Fatalf("compute time with two micro-batches = %v, one = %v", c, compute)
	}
	if err := o.Set(Microbatches(0)); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("Microbatches(0): %v", err)
	}
	if err := o.Set(Microbatches(1), ComputeScale(2)); err != nil {
		t.Fatal(err)
	}
	if err := o.Set(AlpaTestConvention()); err != nil {
		t.Fatal(err)
	}
	alpa := price()
	if c := must(alpa.ComputeTime()); c != 0 {
		t.Fatalf("compute time under Alpa's convention = %v", c)
	}
	assertClose(t, "step time under Alpa's convention", must(alpa.CommTime()), must(alpa.StepTime()))
}

func TestTheObjectiveAddsTheReplicatedParameterPenalty(t *testing.T) {
	_, _, p := optimizedGpt(t)
	if must(p.Objective()) != must(p.StepTime()) {
		t.Fatal("without a penalty the objective is the step time")
	}
	g := buildModel(t, mlpSpec)
	o := newOptions(t, Mesh(2, 2), ReplicatedParameterPenalty(1e-9))
	replicated := must(Evaluate(g, o, make([]uint32, must(g.OpCount()))))
	defer replicated.Close()
	if obj, step := must(replicated.Objective()), must(replicated.StepTime()); !(obj > step) {
		t.Fatalf("objective %v, step time %v", obj, step)
	}
	loaded := must(LoadPlan(must(replicated.Bytes())))
	defer loaded.Close()
	if must(loaded.Objective()) != must(replicated.Objective()) {
		t.Fatal("the objective did not survive the bytes")
	}
}

func TestEvaluateChecksItsChoices(t *testing.T) {
	g := buildModel(t, mlpSpec)
	o := newOptions(t, Mesh(2, 2))
	_, err := Evaluate(g, o, []uint32{0})
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusInvalidArgument || !strings.Contains(e.Message, "one choice per op") {
		t.Fatalf("wrong length: %v", err)
	}
	choice := make([]uint32, must(g.OpCount()))
	choice[0] = must(StrategyCount(g, o, 0))
	if _, err := Evaluate(g, o, choice); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("choice out of range: %v", err)
	}
	if _, err := Evaluate(nil, o, choice); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("nil graph: %v", err)
	}
}

func TestInvalidMeshesAreInvalidArguments(t *testing.T) {
	o, err := NewOptions(Mesh(2, 0))
	var e *Error
	if o != nil || !errors.As(err, &e) || e.Status != StatusInvalidArgument ||
		!strings.HasPrefix(e.Message, "cfp_options_set_mesh: ") {
		t.Fatalf("Mesh(2, 0): %v", err)
	}
	o = newOptions(t)
	for _, bad := range []struct {
		setting Option
		want    error
	}{
		{Mesh(), ErrInvalidArgument},
		{Mesh(2, 2, 2, 2), ErrInvalidArgument},
		{AxisLink(1, 1e9, 0), ErrOutOfRange},
		{AxisLink(0, -1, 0), ErrInvalidArgument},
		{Device("tpu-v9"), ErrInvalidArgument},
		{Device("h100\x00"), ErrInvalidArgument},
	} {
		if err := o.Set(bad.setting); !errors.Is(err, bad.want) {
			t.Fatalf("got %v, want %v", err, bad.want)
		}
	}
	// The options are unchanged by the failures and still usable.
	if err := o.Set(Mesh(4), AxisLink(0, 1e11, 1e-6), Device("a100-80gb")); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentEvaluationsShareGraphAndOptions(t *testing.T) {
	g, o, p := optimizedGpt(t)
	choice := strategiesOf(t, p, g)
	want := must(p.StepTime())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q, err := Evaluate(g, o, choice)
			if err != nil {
				errs <- err
				return
			}
			defer q.Close()
			if got, err := q.StepTime(); err != nil || got != want {
				errs <- errors.New("a concurrent evaluation disagrees: " + strconv.FormatFloat(got, 'g', -1, 64))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestCloseTwiceAndUseAfterCloseForOptionsAndPlans(t *testing.T) {
	g, _, p := optimizedGpt(t)
	o := newOptions(t)
	o.Close()
	o.Close()
	if err := o.Set(Mesh(2, 2)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Set after Close: %v", err)
	}
	if _, err := Optimize(g, o); !errors.Is(err, ErrClosed) {
		t.Fatalf("Optimize with closed options: %v", err)
	}
	q := must(LoadPlan(must(p.Bytes())))
	q.Close()
	q.Close()
	if _, err := q.StepTime(); !errors.Is(err, ErrClosed) {
		t.Fatalf("StepTime after Close: %v", err)
	}
	if _, err := q.Collectives(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Collectives after Close: %v", err)
	}
}
