package cfp

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestPresetsIncludeTheGptAndLlamaFamilies(t *testing.T) {
	presets := must(ModelPresets())
	joined := "," + strings.Join(presets, ",") + ","
	if !strings.Contains(joined, ",gpt3-175b,") || !strings.Contains(joined, ",llama") {
		t.Fatalf("presets %v", presets)
	}
}

func TestABadSpecNamesTheProblem(t *testing.T) {
	_, err := BuildModel("gpt:layers=2,colour=blue")
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusInvalidArgument || !strings.Contains(e.Message, "colour") {
		t.Fatalf("err = %v", err)
	}
	if _, err := BuildModel("no-such-preset"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("unknown preset: %v", err)
	}
}

func phasesOf(t *testing.T, g *Graph) map[Phase]bool {
	t.Helper()
	phases := map[Phase]bool{}
	for op := uint32(0); op < must(g.OpCount()); op++ {
		phases[must(g.OpPhase(op))] = true
	}
	return phases
}

func TestTheTrainingTransformAddsBackwardAndUpdatePhases(t *testing.T) {
	forward := buildModel(t, "mlp:layers=2,hidden=64,batch=4,optimizer=none")
	training := must(forward.MakeTraining("sgd"))
	defer training.Close()
	if got := phasesOf(t, forward); !reflect.DeepEqual(got, map[Phase]bool{PhaseForward: true}) {
		t.Fatalf("forward graph phases %v", got)
	}
	if got := phasesOf(t, training); len(got) != 3 {
		t.Fatalf("training graph phases %v", got)
	}
	if must(training.OpCount()) <= must(forward.OpCount()) ||
		must(training.ParameterCount()) != must(forward.ParameterCount()) {
		t.Fatal("the training graph is no larger than the forward graph, or has other parameters")
	}
	_, err := forward.MakeTraining("lion")
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusInvalidArgument || !strings.Contains(e.Message, "lion") {
		t.Fatalf("unknown optimizer: %v", err)
	}
}

func TestOperandsAndProducersDescribeTheSameEdges(t *testing.T) {
	g := buildModel(t, "gpt:layers=1,hidden=64,heads=2,seq=16,batch=2,vocab=50")
	tensors := must(g.TensorCount())
	producedBy := make([]uint32, tensors)
	for i := range producedBy {
		producedBy[i] = NoOp
	}
	for op := uint32(0); op < must(g.OpCount()); op++ {
		for _, out := range must(g.OpOutputs(op)) {
			producedBy[out] = op
		}
		for _, in := range must(g.OpInputs(op)) {
			if in >= tensors {
				t.Fatalf("op %d reads tensor %d of %d", op, in, tensors)
			}
		}
	}
	inputs := 0
	for tensor := uint32(0); tensor < tensors; tensor++ {
		if got := must(g.TensorProducer(tensor)); got != producedBy[tensor] {
			t.Fatalf("tensor %d: producer %d, outputs say %d", tensor, got, producedBy[tensor])
		}
		if producedBy[tensor] == NoOp {
			inputs++
			if r := must(g.TensorRole(tensor)); r == RoleActivation || r == RoleGradient {
				t.Fatalf("graph input %d is a %v", tensor, r)
			}
		}
	}
	if inputs == 0 {
		t.Fatal("no graph inputs")
	}
	if _, err := g.OpInputs(must(g.OpCount())); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("OpInputs past the end: %v", err)
	}
	if _, err := g.TensorProducer(tensors); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("TensorProducer past the end: %v", err)
	}
}

func TestBuilderGraphsAnswerTheSameQueries(t *testing.T) {
	g := buildTinyMlp(t, 4, 8)
	if in := must(g.OpInputs(0)); !reflect.DeepEqual(in, []uint32{0, 1}) {
		t.Fatalf("OpInputs(0) = %v", in)
	}
	if out := must(g.OpOutputs(0)); !reflect.DeepEqual(out, []uint32{4}) {
		t.Fatalf("OpOutputs(0) = %v", out)
	}
	if p := must(g.TensorProducer(4)); p != 0 {
		t.Fatalf("TensorProducer(4) = %d", p)
	}
	if p := must(g.TensorProducer(0)); p != NoOp || NoOp != 0xFFFFFFFF {
		t.Fatalf("TensorProducer(0) = %d", p)
	}
	if ph := must(g.OpPhase(4)); ph != PhaseForward || ph.String() != "forward" {
		t.Fatalf("OpPhase(4) = %v", ph)
	}
}

func TestTrainingGraphsLinkGradientsUpdatesAndBackwardOps(t *testing.T) {
	g := buildModel(t, "mlp:layers=2,hidden=16,batch=4")
	gradients, updates := 0, 0
	for tensor := uint32(0); tensor < must(g.TensorCount()); tensor++ {
		if of := must(g.TensorGradientOf(tensor)); of != NoTensor {
			gradients++
			if !reflect.DeepEqual(must(g.TensorShape(of)), must(g.TensorShape(tensor))) {
				t.Fatalf("tensor %d is the gradient of tensor %d of another shape", tensor, of)
			}
		}
		if replaced := must(g.TensorUpdates(tensor)); replaced != NoTensor {
			updates++
			if must(g.TensorProducer(replaced)) != NoOp ||
				!reflect.DeepEqual(must(g.TensorShape(replaced)), must(g.TensorShape(tensor))) {
				t.Fatalf("tensor %d updates tensor %d, not a graph input of its shape", tensor, replaced)
			}
		}
	}
	if gradients == 0 || updates == 0 || NoTensor != 0xFFFFFFFF {
		t.Fatalf("%d gradients, %d updates", gradients, updates)
	}
	hinted := 0
	for op := uint32(0); op < must(g.OpCount()); op++ {
		forward := must(g.OpGradOf(op))
		if forward == NoOp {
			continue
		}
		hinted++
		if must(g.OpPhase(op)) != PhaseBackward || must(g.OpPhase(forward)) != PhaseForward {
			t.Fatalf("op %d differentiates op %d", op, forward)
		}
	}
	if hinted == 0 {
		t.Fatal("no backward op names its forward op")
	}
	if _, err := g.TensorUpdates(must(g.TensorCount())); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("TensorUpdates past the end: %v", err)
	}
}

func TestIterationSpaceOfAMatmul(t *testing.T) {
	g := buildTinyMlp(t, 8, 16)
	s := must(g.OpIterationSpace(0)) // dot1: x[8,16] @ w1[16,16]
	// m k / k n / m n, with axes a = m, b = n, c = k.
	want := IterationSpace{
		Axes:     []Axis{{8, false, true}, {16, false, true}, {16, true, true}},
		Inputs:   2,
		Operands: [][][]uint32{{{0}, {2}}, {{2}, {1}}, {{0}, {1}}},
	}
	if !reflect.DeepEqual(s, want) || s.String() != "ac,cb->ab" {
		t.Fatalf("OpIterationSpace(0) = %+v (%s)", s, s)
	}
	o := newOptions(t, Mesh(2))
	if d := must(DescribeStrategy(g, o, 0, 0)); !strings.HasSuffix(d, " : "+s.String()) {
		t.Fatalf("strategy %q, space %s", d, s)
	}
	// The bias broadcast: b1[16] is dim 1 of its output.
	b := must(g.OpIterationSpace(1))
	if !reflect.DeepEqual(b.Operands[0][0], b.Operands[1][1]) {
		t.Fatalf("broadcast space %s", b)
	}
	if _, err := g.OpIterationSpace(5); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("OpIterationSpace past the end: %v", err)
	}
}
