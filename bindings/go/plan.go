package cfp

import (
	"fmt"
	"runtime"

	"cfp/internal/capi"
)

// NoBlock is what Plan.OpBlock answers for a plan from Evaluate, which is not searched by blocks.
const NoBlock uint32 = 0xFFFFFFFF

// Plan is a parallelism plan: every operator's strategy, every tensor's sharding, the
// collectives to insert, and the predicted step time and memory. It is immutable; its
// methods may be called from several goroutines at once.
type Plan struct {
	h handle
}

func newPlan(p uintptr) *Plan {
	plan := &Plan{h: handle{ptr: p, destroy: capi.Cfp_plan_destroy}}
	runtime.SetFinalizer(plan, (*Plan).Close)
	return plan
}

// LoadPlan verifies and loads a plan written by Plan.Bytes (ErrInvalidData if it is not one).
func LoadPlan(data []byte) (*Plan, error) {
	var p uintptr
	if err := call(func() status { return capi.Cfp_plan_from_buffer(data, &p) }); err != nil {
		return nil, err
	}
	return newPlan(p), nil
}

// Close frees the plan. Calling it again does nothing.
func (p *Plan) Close() error {
	p.h.close()
	return nil
}

func (p *Plan) float(get func(uintptr, *float64) status) (float64, error) {
	var v float64
	err := p.h.shared(func(ptr uintptr) error { return call(func() status { return get(ptr, &v) }) })
	return v, err
}

func (p *Plan) count(get func(uintptr, *uint32) status) (uint32, error) {
	var v uint32
	err := p.h.shared(func(ptr uintptr) error { return call(func() status { return get(ptr, &v) }) })
	return v, err
}

// StepTime is the predicted step time in seconds: compute plus communication.
func (p *Plan) StepTime() (float64, error) { return p.float(capi.Cfp_plan_step_time) }

// ComputeTime is the predicted compute time per step in seconds.
func (p *Plan) ComputeTime() (float64, error) { return p.float(capi.Cfp_plan_compute_time) }

// CommTime is the predicted communication time per step in seconds.
func (p *Plan) CommTime() (float64, error) { return p.float(capi.Cfp_plan_comm_time) }

// Objective is what the search minimized, in seconds: the step time plus tie-breaking
// penalties (the replicated-parameter penalty), never below StepTime.
func (p *Plan) Objective() (float64, error) { return p.float(capi.Cfp_plan_objective) }

// PeakMemory is the peak memory per device in bytes.
func (p *Plan) PeakMemory() (uint64, error) {
	var v uint64
	err := p.h.shared(func(ptr uintptr) error { return call(func() status { return capi.Cfp_plan_peak_memory(ptr, &v) }) })
	return v, err
}

// IsOptimal says whether the plan is proven optimal for the cost model and budget.
func (p *Plan) IsOptimal() (bool, error) {
	var v int32
	err := p.h.shared(func(ptr uintptr) error { return call(func() status { return capi.Cfp_plan_is_optimal(ptr, &v) }) })
	return v != 0, err
}

// BlockCount is the number of ParallelBlocks the search used.
func (p *Plan) BlockCount() (uint32, error) { return p.count(capi.Cfp_plan_block_count) }

// SegmentCount is the number of segments the blocks formed.
func (p *Plan) SegmentCount() (uint32, error) { return p.count(capi.Cfp_plan_segment_count) }

// UniqueSegmentCount is the number of distinct segments (the others reuse their costs).
func (p *Plan) UniqueSegmentCount() (uint32, error) {
	return p.count(capi.Cfp_plan_unique_segment_count)
}

// Stat is a search statistic; times are in seconds.
func (p *Plan) Stat(s Stat) (float64, error) {
	return p.float(func(ptr uintptr, out *float64) status {
		return capi.Cfp_plan_stat(ptr, capi.Enum_SS_cfp_stat(s), out)
	})
}

// OpBlock is the block op belongs to, or NoBlock for a plan from Evaluate.
func (p *Plan) OpBlock(op uint32) (uint32, error) {
	return p.count(func(ptr uintptr, out *uint32) status { return capi.Cfp_plan_op_block(ptr, op, out) })
}

// OpStrategy is the strategy of op: an index into its StrategyCount strategies.
func (p *Plan) OpStrategy(op uint32) (uint32, error) {
	return p.count(func(ptr uintptr, out *uint32) status { return capi.Cfp_plan_op_strategy(ptr, op, out) })
}

// TensorSharding is the sharding of tensor t, e.g. "[0,-] partial{1}": per dim the mesh
// axes it is split over ("-" = replicated).
func (p *Plan) TensorSharding(t uint32) (string, error) {
	var s string
	err := p.h.shared(func(ptr uintptr) error {
		return call(func() status { return capi.Cfp_plan_tensor_sharding(ptr, t, &s) })
	})
	return s, err
}

// CostNotes says how the plan's costs were obtained, one line per fact: empty for the
// analytic model; for "cuda" the device measured on, the block configurations profiled,
// reused and priced analytically, the profile DB, each mesh axis's links and any profile DB
// warning.
func (p *Plan) CostNotes() (string, error) {
	var s string
	err := p.h.shared(func(ptr uintptr) error {
		return call(func() status { return capi.Cfp_plan_cost_notes(ptr, &s) })
	})
	return s, err
}

// CollectiveCount is the number of collectives the plan inserts per step.
func (p *Plan) CollectiveCount() (uint32, error) { return p.count(capi.Cfp_plan_collective_count) }

// Collective is collective i.
func (p *Plan) Collective(i uint32) (Collective, error) {
	var c Collective
	err := p.h.shared(func(ptr uintptr) error {
		var err error
		c, err = readCollective(ptr, i)
		return err
	})
	return c, err
}

// Collectives lists every collective the plan inserts per step, in the plan's order.
func (p *Plan) Collectives() ([]Collective, error) {
	var all []Collective
	err := p.h.shared(func(ptr uintptr) error {
		var n uint32
		if err := call(func() status { return capi.Cfp_plan_collective_count(ptr, &n) }); err != nil {
			return err
		}
		all = make([]Collective, n)
		for i := range all {
			var err error
			if all[i], err = readCollective(ptr, uint32(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

func readCollective(ptr uintptr, i uint32) (Collective, error) {
	var c Collective
	var kind int32
	err := call(func() status {
		return capi.Cfp_plan_collective(ptr, i, &kind, &c.Tensor, &c.MeshAxes, &c.Bytes, &c.BeforeOp, &c.Time)
	})
	c.Kind = CollectiveKind(kind)
	return c, err
}

// Bytes serializes the plan as FlatBuffers (schema plan.fbs); LoadPlan reads it back.
func (p *Plan) Bytes() ([]byte, error) {
	var out []byte
	err := p.h.shared(func(ptr uintptr) error { return call(func() status { return capi.Cfp_plan_to_buffer(ptr, &out) }) })
	return out, err
}

// JSON is the plan as JSON.
func (p *Plan) JSON() ([]byte, error) {
	var out []byte
	err := p.h.shared(func(ptr uintptr) error { return call(func() status { return capi.Cfp_plan_to_json(ptr, &out) }) })
	return out, err
}

// Collective is one collective a plan inserts per step.
type Collective struct {
	Kind     CollectiveKind
	Tensor   uint32  // the tensor it moves
	MeshAxes uint32  // the mesh axes it runs over, as a bit mask (bit i = axis i)
	Bytes    uint64  // per device
	BeforeOp int64   // the op it must precede; -1: the end of the step
	Time     float64 // estimated, in seconds
}

func (c Collective) String() string {
	where := "end of step"
	if c.BeforeOp >= 0 {
		where = fmt.Sprintf("before op %d", c.BeforeOp)
	}
	return fmt.Sprintf("%v of tensor %d over axes %#x, %d bytes, %s, %.3g s", c.Kind, c.Tensor, c.MeshAxes, c.Bytes, where, c.Time)
}

// CollectiveKind is the kind of a collective (cfp_collective_kind).
type CollectiveKind int32

const (
	AllReduce     CollectiveKind = 0
	AllGather     CollectiveKind = 1
	ReduceScatter CollectiveKind = 2
	AllToAll      CollectiveKind = 3
)

func (k CollectiveKind) String() string {
	switch k {
	case AllReduce:
		return "all-reduce"
	case AllGather:
		return "all-gather"
	case ReduceScatter:
		return "reduce-scatter"
	case AllToAll:
		return "all-to-all"
	}
	return fmt.Sprintf("collective(%d)", int32(k))
}

// Stat is a search statistic of a plan (cfp_stat).
type Stat int32

const (
	StatTimeLoad               Stat = 0
	StatTimeBlocks             Stat = 1
	StatTimeSegments           Stat = 2
	StatTimeCosts              Stat = 3
	StatTimeSearch             Stat = 4
	StatOps                    Stat = 5
	StatBlocks                 Stat = 6
	StatSegments               Stat = 7
	StatUniqueSegments         Stat = 8
	StatConfigurationsCosted   Stat = 9
	StatConfigurationsProfiled Stat = 10
	StatConfigurationsReused   Stat = 11
	StatOpsOutsideBlocks       Stat = 12
)
