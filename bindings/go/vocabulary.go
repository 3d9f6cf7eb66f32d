package cfp

import (
	"strconv"

	"cfp/internal/capi"
)

// DType is an element type (cfp_dtype).
type DType int32

const (
	F32    DType = 0
	BF16   DType = 1
	F16    DType = 2
	F8E4M3 DType = 3
	I32    DType = 4
	I64    DType = 5
	Bool   DType = 6
)

// String is the library's name, e.g. "bf16".
func (d DType) String() string { return capi.Cfp_dtype_name(capi.Enum_SS_cfp_dtype(d)) }

// TensorRole says what a tensor is in the training step (cfp_tensor_role).
type TensorRole int32

const (
	RoleDataInput      TensorRole = 0
	RoleParameter      TensorRole = 1
	RoleOptimizerState TensorRole = 2
	RoleActivation     TensorRole = 3
	RoleGradient       TensorRole = 4
	RoleConstant       TensorRole = 5
)

// String is the library's name, e.g. "parameter".
func (r TensorRole) String() string {
	return capi.Cfp_tensor_role_name(capi.Enum_SS_cfp_tensor_role(r))
}

// Phase is the part of the training step an operator belongs to (cfp_phase).
type Phase int32

const (
	PhaseForward  Phase = 0
	PhaseBackward Phase = 1
	PhaseUpdate   Phase = 2
)

func (p Phase) String() string {
	switch p {
	case PhaseForward:
		return "forward"
	case PhaseBackward:
		return "backward"
	case PhaseUpdate:
		return "update"
	}
	return "phase(" + strconv.Itoa(int(p)) + ")"
}

// OpKind is an operator kind at XLA-HLO granularity (cfp_op_kind); see cfp.h for the
// attributes each kind reads.
type OpKind int32

const (
	OpAbs         OpKind = 0
	OpNeg         OpKind = 1
	OpExp         OpKind = 2
	OpLog         OpKind = 3
	OpSqrt        OpKind = 4
	OpRsqrt       OpKind = 5
	OpTanh        OpKind = 6
	OpLogistic    OpKind = 7
	OpSin         OpKind = 8
	OpCos         OpKind = 9
	OpConvert     OpKind = 10
	OpCopy        OpKind = 11
	OpAdd         OpKind = 20
	OpSubtract    OpKind = 21
	OpMultiply    OpKind = 22
	OpDivide      OpKind = 23
	OpMaximum     OpKind = 24
	OpMinimum     OpKind = 25
	OpPower       OpKind = 26
	OpCompare     OpKind = 27
	OpSelect      OpKind = 28
	OpBroadcast   OpKind = 40
	OpReshape     OpKind = 41
	OpTranspose   OpKind = 42
	OpSlice       OpKind = 43
	OpPad         OpKind = 44
	OpConcatenate OpKind = 45
	OpIota        OpKind = 46
	OpReduceSum   OpKind = 60
	OpReduceMax   OpKind = 61
	OpReduceMin   OpKind = 62
	OpDot         OpKind = 80
	OpGather      OpKind = 100
	OpScatterAdd  OpKind = 101
	OpCustom      OpKind = 200
)

// String is the library's name, e.g. "dot".
func (k OpKind) String() string { return capi.Cfp_op_kind_name(capi.Enum_SS_cfp_op_kind(k)) }

// Attr is an operator attribute key (cfp_attr).
type Attr int32

const (
	AttrDims          Attr = 0
	AttrLhsBatch      Attr = 1
	AttrRhsBatch      Attr = 2
	AttrLhsContract   Attr = 3
	AttrRhsContract   Attr = 4
	AttrStarts        Attr = 5
	AttrLimits        Attr = 6
	AttrPadLow        Attr = 7
	AttrPadHigh       Attr = 8
	AttrAxis          Attr = 9
	AttrComparison    Attr = 10
	AttrPadValue      Attr = 11
	AttrFlopsPerPoint Attr = 12
)

// Comparison is the predicate of an OpCompare (cfp_comparison), set with AttrComparison.
type Comparison int32

const (
	CmpEQ Comparison = 0
	CmpNE Comparison = 1
	CmpLT Comparison = 2
	CmpLE Comparison = 3
	CmpGT Comparison = 4
	CmpGE Comparison = 5
)
