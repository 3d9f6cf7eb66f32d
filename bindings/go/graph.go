package cfp

import (
	"fmt"
	"runtime"
	"strings"

	"cfp/internal/capi"
)

type status = capi.Enum_SS_cfp_status

// NoOp is what Graph.TensorProducer answers for a graph input (CFP_NO_OP).
const NoOp = uint32(capi.CFP_NO_OP)

// NoTensor is what Graph.TensorGradientOf and Graph.TensorUpdates answer for a tensor
// without that link (CFP_NO_TENSOR).
const NoTensor = uint32(capi.CFP_NO_TENSOR)

// Axis is one axis of an operator's iteration space.
type Axis struct {
	Size int64
	// Reduction: summed over, in no output; otherwise parallel.
	Reduction bool
	// Splittable: some strategy may split it across devices.
	Splittable bool
}

// IterationSpace is an operator's loop nest: its axes, and for every dim of every operand
// (inputs first, then outputs) the ids of the axes the dim is made of, outermost first
// (none for a size-1 dim broadcast against a larger one). Strategies split these axes:
// DescribeStrategy's "a0<-[0]" splits axis 0 over mesh axis 0. A plain value.
type IterationSpace struct {
	Axes []Axis
	// Inputs is the number of inputs: Operands[i] is an input for i < Inputs.
	Inputs   int
	Operands [][][]uint32
}

// String is the einsum-like text DescribeStrategy prints after " : ": axes labelled a, b,
// c, ... by id (a26, a27, ... past z), a dim of several axes in parentheses.
func (s IterationSpace) String() string {
	var b strings.Builder
	label := func(a uint32) {
		if a < 26 {
			b.WriteByte(byte('a' + a))
		} else {
			fmt.Fprintf(&b, "a%d", a)
		}
	}
	for o, dims := range s.Operands {
		if o == s.Inputs {
			b.WriteString("->")
		} else if o > 0 {
			b.WriteByte(',')
		}
		for _, axes := range dims {
			if len(axes) == 1 {
				label(axes[0])
				continue
			}
			b.WriteByte('(')
			for _, a := range axes {
				label(a)
			}
			b.WriteByte(')')
		}
	}
	if s.Inputs == len(s.Operands) {
		b.WriteString("->")
	}
	return b.String()
}

// Graph is an immutable, validated graph. Its methods may be called from several
// goroutines at once.
type Graph struct {
	h handle
}

func newGraph(p uintptr) *Graph {
	g := &Graph{h: handle{ptr: p, destroy: capi.Cfp_graph_destroy}}
	runtime.SetFinalizer(g, (*Graph).Close)
	return g
}

// LoadGraph verifies and loads a FlatBuffers graph (schema graph.fbs, identifier "CFPG").
// data is only read during the call.
func LoadGraph(data []byte) (*Graph, error) {
	var p uintptr
	if err := call(func() status { return capi.Cfp_graph_from_buffer(data, &p) }); err != nil {
		return nil, err
	}
	return newGraph(p), nil
}

// LoadGraphFile loads a graph file (.cfpg) written by Graph.WriteFile or the cfp tool.
func LoadGraphFile(path string) (*Graph, error) {
	if err := cString("path", path); err != nil {
		return nil, err
	}
	var p uintptr
	if err := call(func() status { return capi.Cfp_graph_from_file(path, &p) }); err != nil {
		return nil, err
	}
	return newGraph(p), nil
}

// Close frees the graph. Calling it again does nothing.
func (g *Graph) Close() error {
	g.h.close()
	return nil
}

// MakeTraining derives the training step of this forward graph: reverse-mode gradients of
// every parameter with respect to the scalar loss (the last op's output) and the update of
// optimizer ("adam" or "sgd").
func (g *Graph) MakeTraining(optimizer string) (*Graph, error) {
	if err := cString("optimizer", optimizer); err != nil {
		return nil, err
	}
	var t uintptr
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_make_training(p, optimizer, &t) })
	})
	if err != nil {
		return nil, err
	}
	return newGraph(t), nil
}

// Bytes serializes the graph as a FlatBuffers buffer.
func (g *Graph) Bytes() ([]byte, error) {
	var out []byte
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_to_buffer(p, &out) })
	})
	return out, err
}

// WriteFile writes the graph to path atomically.
func (g *Graph) WriteFile(path string) error {
	if err := cString("path", path); err != nil {
		return err
	}
	return g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_to_file(p, path) })
	})
}

// Name is the graph's name.
func (g *Graph) Name() (string, error) {
	var s string
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_name(p, &s) })
	})
	return s, err
}

// OpCount is the number of operators; their ids are 0..OpCount()-1.
func (g *Graph) OpCount() (uint32, error) {
	var n uint32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_op_count(p, &n) })
	})
	return n, err
}

// TensorCount is the number of tensors; their ids are 0..TensorCount()-1.
func (g *Graph) TensorCount() (uint32, error) {
	var n uint32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_tensor_count(p, &n) })
	})
	return n, err
}

// OpName is the name of operator op.
func (g *Graph) OpName(op uint32) (string, error) {
	var s string
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_op_name(p, op, &s) })
	})
	return s, err
}

// OpKind is the kind of operator op.
func (g *Graph) OpKind(op uint32) (OpKind, error) {
	var k int32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_op_kind(p, op, &k) })
	})
	return OpKind(k), err
}

// OpScope is the scope of operator op ("" if none), e.g. "layers.3.mlp".
func (g *Graph) OpScope(op uint32) (string, error) {
	var s string
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_op_scope(p, op, &s) })
	})
	return s, err
}

// OpPhase is the phase of operator op: forward, backward or optimizer update.
func (g *Graph) OpPhase(op uint32) (Phase, error) {
	var ph int32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_op_phase(p, op, &ph) })
	})
	return Phase(ph), err
}

// OpInputs lists the tensor ids operator op reads, in operand order.
func (g *Graph) OpInputs(op uint32) ([]uint32, error) {
	return g.ids(op, capi.Cfp_graph_op_input_count, capi.Cfp_graph_op_input)
}

// OpOutputs lists the tensor ids operator op produces.
func (g *Graph) OpOutputs(op uint32) ([]uint32, error) {
	return g.ids(op, capi.Cfp_graph_op_output_count, capi.Cfp_graph_op_output)
}

func (g *Graph) ids(op uint32, count func(uintptr, uint32, *uint32) status,
	at func(uintptr, uint32, uint32, *uint32) status) ([]uint32, error) {
	var ids []uint32
	err := g.h.shared(func(p uintptr) error {
		var n uint32
		if err := call(func() status { return count(p, op, &n) }); err != nil {
			return err
		}
		ids = make([]uint32, n)
		for i := range ids {
			if err := call(func() status { return at(p, op, uint32(i), &ids[i]) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// OpGradOf is the forward operator that backward operator op differentiates, or NoOp if it
// has no such hint.
func (g *Graph) OpGradOf(op uint32) (uint32, error) {
	var forward uint32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_op_grad_of(p, op, &forward) })
	})
	return forward, err
}

// OpIterationSpace is the iteration space of operator op.
func (g *Graph) OpIterationSpace(op uint32) (IterationSpace, error) {
	var s IterationSpace
	err := g.h.shared(func(p uintptr) error {
		var n uint32
		if err := call(func() status { return capi.Cfp_graph_op_axis_count(p, op, &n) }); err != nil {
			return err
		}
		s.Axes = make([]Axis, n)
		for a := range s.Axes {
			axis := &s.Axes[a]
			var reduction, splittable int32
			if err := call(func() status { return capi.Cfp_graph_op_axis_size(p, op, uint32(a), &axis.Size) }); err != nil {
				return err
			}
			if err := call(func() status { return capi.Cfp_graph_op_axis_is_reduction(p, op, uint32(a), &reduction) }); err != nil {
				return err
			}
			if err := call(func() status { return capi.Cfp_graph_op_axis_splittable(p, op, uint32(a), &splittable) }); err != nil {
				return err
			}
			axis.Reduction, axis.Splittable = reduction != 0, splittable != 0
		}
		var inputs, outputs uint32
		if err := call(func() status { return capi.Cfp_graph_op_input_count(p, op, &inputs) }); err != nil {
			return err
		}
		if err := call(func() status { return capi.Cfp_graph_op_output_count(p, op, &outputs) }); err != nil {
			return err
		}
		s.Inputs = int(inputs)
		s.Operands = make([][][]uint32, inputs+outputs)
		for o := range s.Operands {
			// An operand's rank is its tensor's.
			var tensor, rank uint32
			if err := call(func() status {
				if uint32(o) < inputs {
					return capi.Cfp_graph_op_input(p, op, uint32(o), &tensor)
				}
				return capi.Cfp_graph_op_output(p, op, uint32(o)-inputs, &tensor)
			}); err != nil {
				return err
			}
			if err := call(func() status { return capi.Cfp_graph_tensor_rank(p, tensor, &rank) }); err != nil {
				return err
			}
			s.Operands[o] = make([][]uint32, rank)
			for d := range s.Operands[o] {
				var count uint32
				if err := call(func() status {
					return capi.Cfp_graph_op_operand_dim_axis_count(p, op, uint32(o), uint32(d), &count)
				}); err != nil {
					return err
				}
				axes := make([]uint32, count)
				for i := range axes {
					if err := call(func() status {
						return capi.Cfp_graph_op_operand_dim_axis(p, op, uint32(o), uint32(d), uint32(i), &axes[i])
					}); err != nil {
						return err
					}
				}
				s.Operands[o][d] = axes
			}
		}
		return nil
	})
	if err != nil {
		return IterationSpace{}, err
	}
	return s, nil
}

// TensorProducer is the operator producing tensor t, or NoOp for a graph input.
func (g *Graph) TensorProducer(t uint32) (uint32, error) {
	var op uint32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_tensor_producer(p, t, &op) })
	})
	return op, err
}

// TensorGradientOf is the forward tensor that tensor t is the gradient of, or NoTensor if
// it has no such hint.
func (g *Graph) TensorGradientOf(t uint32) (uint32, error) {
	var of uint32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_tensor_gradient_of(p, t, &of) })
	})
	return of, err
}

// TensorUpdates is the parameter or optimizer state that tensor t replaces in the next
// step, or NoTensor if it replaces none.
func (g *Graph) TensorUpdates(t uint32) (uint32, error) {
	var replaced uint32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_tensor_updates(p, t, &replaced) })
	})
	return replaced, err
}

// TensorName is the name of tensor t.
func (g *Graph) TensorName(t uint32) (string, error) {
	var s string
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_tensor_name(p, t, &s) })
	})
	return s, err
}

// TensorDType is the element type of tensor t.
func (g *Graph) TensorDType(t uint32) (DType, error) {
	var d int32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_tensor_dtype(p, t, &d) })
	})
	return DType(d), err
}

// TensorRole is the role of tensor t.
func (g *Graph) TensorRole(t uint32) (TensorRole, error) {
	var r int32
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_tensor_role(p, t, &r) })
	})
	return TensorRole(r), err
}

// TensorShape is the shape of tensor t (empty for a scalar).
func (g *Graph) TensorShape(t uint32) ([]int64, error) {
	var shape []int64
	err := g.h.shared(func(p uintptr) error {
		var rank uint32
		if err := call(func() status { return capi.Cfp_graph_tensor_rank(p, t, &rank) }); err != nil {
			return err
		}
		shape = make([]int64, rank)
		for d := range shape {
			if err := call(func() status { return capi.Cfp_graph_tensor_dim(p, t, uint32(d), &shape[d]) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return shape, nil
}

// ParameterCount is the number of elements in all parameter tensors.
func (g *Graph) ParameterCount() (uint64, error) {
	var n uint64
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_parameter_count(p, &n) })
	})
	return n, err
}

// Flops is the floating-point operations of one execution of the graph (multiply-add = 2).
func (g *Graph) Flops() (float64, error) {
	var f float64
	err := g.h.shared(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_flops(p, &f) })
	})
	return f, err
}
