package cfp

import (
	"runtime"

	"cfp/internal/capi"
)

// GraphBuilder constructs a graph operator by operator. Ids are dense, from 0, in the
// order tensors and operators are added. Its methods are serialized, so a builder may be
// shared between goroutines; Finish validates the whole graph.
type GraphBuilder struct {
	h handle
}

// NewGraphBuilder creates an empty builder for a graph called name.
func NewGraphBuilder(name string) (*GraphBuilder, error) {
	if err := cString("name", name); err != nil {
		return nil, err
	}
	var p uintptr
	if err := call(func() status { return capi.Cfp_graph_builder_create(name, &p) }); err != nil {
		return nil, err
	}
	b := &GraphBuilder{h: handle{ptr: p, destroy: capi.Cfp_graph_builder_destroy}}
	runtime.SetFinalizer(b, (*GraphBuilder).Close)
	return b, nil
}

// Close frees the builder; graphs it finished stay valid. Calling it again does nothing.
func (b *GraphBuilder) Close() error {
	b.h.close()
	return nil
}

// AddTensor adds a tensor and returns its id. A nil or empty shape is a scalar.
func (b *GraphBuilder) AddTensor(name string, dtype DType, shape []int64, role TensorRole) (uint32, error) {
	if err := cString("name", name); err != nil {
		return 0, err
	}
	var id uint32
	err := b.h.exclusive(func(p uintptr) error {
		return call(func() status {
			return capi.Cfp_graph_builder_add_tensor(p, name, capi.Enum_SS_cfp_dtype(dtype), shape,
				capi.Enum_SS_cfp_tensor_role(role), &id)
		})
	})
	return id, err
}

// SetTensorGradientOf marks tensor as the gradient of tensor of.
func (b *GraphBuilder) SetTensorGradientOf(tensor, of uint32) error {
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_builder_set_tensor_gradient_of(p, tensor, of) })
	})
}

// SetTensorUpdates marks tensor as the next-step value of parameter or optimizer state replaces.
func (b *GraphBuilder) SetTensorUpdates(tensor, replaces uint32) error {
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_builder_set_tensor_updates(p, tensor, replaces) })
	})
}

// SetTensorValue sets the value of a rank-0 constant tensor.
func (b *GraphBuilder) SetTensorValue(tensor uint32, value float64) error {
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_builder_set_tensor_value(p, tensor, value) })
	})
}

// AddOp adds an operator reading inputs and producing outputs (tensor ids) and returns its id.
func (b *GraphBuilder) AddOp(name string, kind OpKind, inputs, outputs []uint32) (uint32, error) {
	if err := cString("name", name); err != nil {
		return 0, err
	}
	var id uint32
	err := b.h.exclusive(func(p uintptr) error {
		return call(func() status {
			return capi.Cfp_graph_builder_add_op(p, name, capi.Enum_SS_cfp_op_kind(kind), inputs, outputs, &id)
		})
	})
	return id, err
}

// SetOpInts sets an integer-list attribute (AttrAxis and AttrComparison take one value).
func (b *GraphBuilder) SetOpInts(op uint32, attr Attr, values ...int64) error {
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status {
			return capi.Cfp_graph_builder_set_op_ints(p, op, capi.Enum_SS_cfp_attr(attr), values)
		})
	})
}

// SetOpDouble sets a floating-point attribute (AttrPadValue, AttrFlopsPerPoint).
func (b *GraphBuilder) SetOpDouble(op uint32, attr Attr, value float64) error {
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status {
			return capi.Cfp_graph_builder_set_op_double(p, op, capi.Enum_SS_cfp_attr(attr), value)
		})
	})
}

// SetOpScope sets the scope shown in reports, e.g. "layers.3.attn".
func (b *GraphBuilder) SetOpScope(op uint32, scope string) error {
	if err := cString("scope", scope); err != nil {
		return err
	}
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_builder_set_op_scope(p, op, scope) })
	})
}

// SetOpPhase sets the training-step phase of op.
func (b *GraphBuilder) SetOpPhase(op uint32, phase Phase) error {
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status {
			return capi.Cfp_graph_builder_set_op_phase(p, op, capi.Enum_SS_cfp_phase(phase))
		})
	})
}

// SetOpGradOf marks op as part of the derivative of forward operator forwardOp.
func (b *GraphBuilder) SetOpGradOf(op, forwardOp uint32) error {
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_builder_set_op_grad_of(p, op, forwardOp) })
	})
}

// SetOpEinsum states op's iteration space in einsum notation, e.g. "bsh,hf->bsf".
func (b *GraphBuilder) SetOpEinsum(op uint32, spec string) error {
	if err := cString("einsum spec", spec); err != nil {
		return err
	}
	return b.h.exclusive(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_builder_set_op_einsum(p, op, spec) })
	})
}

// Finish validates the graph built so far and returns it. The builder stays usable.
func (b *GraphBuilder) Finish() (*Graph, error) {
	var g uintptr
	err := b.h.exclusive(func(p uintptr) error {
		return call(func() status { return capi.Cfp_graph_builder_finish(p, &g) })
	})
	if err != nil {
		return nil, err
	}
	return newGraph(g), nil
}
