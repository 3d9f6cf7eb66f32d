package cfp

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// buildTinyMlp builds x[batch,hidden] -> relu(x @ w1 + b1) @ w2 with the builder: 5 ops,
// 10 tensors.
func buildTinyMlp(t *testing.T, batch, hidden int64) *Graph {
	t.Helper()
	b, err := NewGraphBuilder("tiny-mlp")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	must := func(id uint32, err error) uint32 {
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
	act := []int64{batch, hidden}
	x := must(b.AddTensor("x", F32, act, RoleDataInput))
	w1 := must(b.AddTensor("w1", F32, []int64{hidden, hidden}, RoleParameter))
	b1 := must(b.AddTensor("b1", F32, []int64{hidden}, RoleParameter))
	w2 := must(b.AddTensor("w2", F32, []int64{hidden, hidden}, RoleParameter))
	h := must(b.AddTensor("h", F32, act, RoleActivation))
	bb := must(b.AddTensor("b1.bcast", F32, act, RoleActivation))
	hb := must(b.AddTensor("h.bias", F32, act, RoleActivation))
	zero := must(b.AddTensor("zero", F32, nil, RoleConstant))
	r := must(b.AddTensor("relu", F32, act, RoleActivation))
	y := must(b.AddTensor("y", F32, act, RoleActivation))
	check(b.SetTensorValue(zero, 0))

	dot1 := must(b.AddOp("dot1", OpDot, []uint32{x, w1}, []uint32{h}))
	check(b.SetOpInts(dot1, AttrLhsContract, 1))
	check(b.SetOpInts(dot1, AttrRhsContract, 0))
	bc := must(b.AddOp("bias.broadcast", OpBroadcast, []uint32{b1}, []uint32{bb}))
	check(b.SetOpInts(bc, AttrDims, 1))
	must(b.AddOp("bias.add", OpAdd, []uint32{h, bb}, []uint32{hb}))
	must(b.AddOp("relu", OpMaximum, []uint32{hb, zero}, []uint32{r}))
	dot2 := must(b.AddOp("dot2", OpDot, []uint32{r, w2}, []uint32{y}))
	check(b.SetOpInts(dot2, AttrLhsContract, 1))
	check(b.SetOpInts(dot2, AttrRhsContract, 0))
	check(b.SetOpScope(dot1, "mlp.0"))
	check(b.SetOpScope(dot2, "mlp.1"))

	g, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestVersionMatchesTheLoadedLibrary(t *testing.T) {
	var major, minor, patch uint
	if _, err := fmt.Sscanf(Version(), "%d.%d.%d", &major, &minor, &patch); err != nil {
		t.Fatalf("Version() = %q: %v", Version(), err)
	}
	if got, want := VersionNumber(), major*10000+minor*100+patch; got != want {
		t.Fatalf("VersionNumber() = %d, Version() = %q", got, Version())
	}
}

func TestBuildSerializeReloadAndQuery(t *testing.T) {
	g := buildTinyMlp(t, 8, 16)
	data, err := g.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 8 || string(data[4:8]) != "CFPG" {
		t.Fatalf("serialized graph lacks the CFPG identifier: % x", data[:min(len(data), 8)])
	}
	r, err := LoadGraph(data)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	if name, err := r.Name(); err != nil || name != "tiny-mlp" {
		t.Fatalf("Name() = %q, %v", name, err)
	}
	if n, err := r.OpCount(); err != nil || n != 5 {
		t.Fatalf("OpCount() = %d, %v", n, err)
	}
	if n, err := r.TensorCount(); err != nil || n != 10 {
		t.Fatalf("TensorCount() = %d, %v", n, err)
	}
	if n, err := r.ParameterCount(); err != nil || n != 16*16+16+16*16 {
		t.Fatalf("ParameterCount() = %d, %v", n, err)
	}
	if f, err := r.Flops(); err != nil || f != 2*(2.0*8*16*16)+2*8*16 {
		t.Fatalf("Flops() = %v, %v", f, err)
	}
	if s, err := r.OpName(4); err != nil || s != "dot2" {
		t.Fatalf("OpName(4) = %q, %v", s, err)
	}
	if s, err := r.OpScope(4); err != nil || s != "mlp.1" {
		t.Fatalf("OpScope(4) = %q, %v", s, err)
	}
	if k, err := r.OpKind(1); err != nil || k != OpBroadcast || k.String() != "broadcast" {
		t.Fatalf("OpKind(1) = %v, %v", k, err)
	}
	if s, err := r.TensorName(7); err != nil || s != "zero" {
		t.Fatalf("TensorName(7) = %q, %v", s, err)
	}
	if d, err := r.TensorDType(0); err != nil || d != F32 || d.String() != "f32" {
		t.Fatalf("TensorDType(0) = %v, %v", d, err)
	}
	if role, err := r.TensorRole(1); err != nil || role != RoleParameter {
		t.Fatalf("TensorRole(1) = %v, %v", role, err)
	}
	if shape, err := r.TensorShape(1); err != nil || !reflect.DeepEqual(shape, []int64{16, 16}) {
		t.Fatalf("TensorShape(1) = %v, %v", shape, err)
	}
	if shape, err := r.TensorShape(7); err != nil || len(shape) != 0 {
		t.Fatalf("TensorShape(7) of a scalar = %v, %v", shape, err)
	}

	again, err := r.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, data) {
		t.Fatal("reloaded graph does not serialize to the same bytes")
	}
}

func TestGraphFileRoundTrip(t *testing.T) {
	g := buildTinyMlp(t, 4, 8)
	path := filepath.Join(t.TempDir(), "mlp.cfpg")
	if err := g.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	r, err := LoadGraphFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, err := r.OpCount(); err != nil || n != 5 {
		t.Fatalf("OpCount() = %d, %v", n, err)
	}
}

func TestInvalidGraphBytesCarryStatusAndMessage(t *testing.T) {
	g, err := LoadGraph([]byte("this is not a graph, just some bytes"))
	if g != nil || err == nil {
		t.Fatal("garbage loaded as a graph")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not a *cfp.Error", err)
	}
	if e.Status != StatusInvalidGraph || !errors.Is(err, ErrInvalidGraph) || errors.Is(err, ErrIO) {
		t.Fatalf("status = %v", e.Status)
	}
	if !strings.Contains(e.Message, "cfp_graph_from_buffer") {
		t.Fatalf("message %q does not name the failing call", e.Message)
	}
	if !strings.Contains(err.Error(), "CFP_ERR_INVALID_GRAPH") {
		t.Fatalf("Error() = %q", err.Error())
	}

	if _, err := LoadGraph(nil); !errors.Is(err, ErrInvalidGraph) && !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty buffer: %v", err)
	}
}

func TestMissingFileIsAnIOError(t *testing.T) {
	_, err := LoadGraphFile(filepath.Join(t.TempDir(), "absent.cfpg"))
	if !errors.Is(err, ErrIO) {
		t.Fatalf("err = %v", err)
	}
}

func TestOutOfRangeIdsAreErrors(t *testing.T) {
	g := buildTinyMlp(t, 4, 8)
	_, err := g.OpName(5)
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusOutOfRange {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(e.Message, "op 5 is out of range (graph has 5 ops)") {
		t.Fatalf("message = %q", e.Message)
	}
	if _, err := g.TensorShape(10); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("TensorShape(10): %v", err)
	}
}

func TestBuilderErrorsNameTheProblem(t *testing.T) {
	b, err := NewGraphBuilder("bad")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	x, err := b.AddTensor("x", F32, []int64{4, 8}, RoleDataInput)
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.AddTensor("y", F32, []int64{4, 9}, RoleActivation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddOp("neg", OpNeg, []uint32{x}, []uint32{y}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddOp("dangling", OpNeg, []uint32{x}, []uint32{99}); !errors.Is(err, ErrInvalidArgument) &&
		!errors.Is(err, ErrOutOfRange) && !errors.Is(err, ErrInvalidGraph) {
		t.Fatalf("op with a bad tensor id: %v", err)
	}
	g, err := b.Finish()
	if g != nil || !errors.Is(err, ErrInvalidGraph) {
		t.Fatalf("shape mismatch finished: %v", err)
	}
	if !strings.Contains(err.Error(), "neg") {
		t.Fatalf("message does not name the op: %v", err)
	}
	if _, err := b.AddTensor("nul\x00name", F32, nil, RoleConstant); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("NUL in a name: %v", err)
	}
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	g := buildTinyMlp(t, 4, 8)
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := g.OpCount(); !errors.Is(err, ErrClosed) {
		t.Fatalf("OpCount after Close: %v", err)
	}
	if _, err := g.Bytes(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Bytes after Close: %v", err)
	}

	b, err := NewGraphBuilder("closed")
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	b.Close()
	if _, err := b.AddTensor("x", F32, nil, RoleConstant); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddTensor after Close: %v", err)
	}
	if _, err := b.Finish(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Finish after Close: %v", err)
	}
}

// Graphs are immutable and thread-safe: concurrent readers see the same answers, and
// a failing call on one goroutine never shows another goroutine's message.
func TestConcurrentReadersAndErrorMessages(t *testing.T) {
	g := buildTinyMlp(t, 4, 8)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if n, err := g.OpCount(); err != nil || n != 5 {
					errs <- err
					return
				}
				_, err := g.OpName(uint32(100 + i))
				var e *Error
				if !errors.As(err, &e) || !strings.Contains(e.Message, "op "+strconv.Itoa(100+i)+" is out of range") {
					errs <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
