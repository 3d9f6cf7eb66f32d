package cfp

import "cfp/internal/capi"

// withBoth runs f with the graph's and the options' pointers while neither can be closed
// and no setting can change.
func withBoth(g *Graph, o *Options, f func(gp, op uintptr) error) error {
	if g == nil || o == nil {
		return &Error{Status: StatusInvalidArgument, Message: "graph and options must not be nil"}
	}
	return g.h.shared(func(gp uintptr) error {
		return o.h.shared(func(op uintptr) error { return f(gp, op) })
	})
}

// Optimize finds the plan of least predicted step time within the memory budget.
//
// It fails with ErrInfeasible when no plan fits the budget (the message says how much
// memory the smallest plan needs). When the time or memory limit stops the search it
// returns ErrTimeLimit or ErrMemoryLimit together with the best plan found so far, if there
// is one; that plan is the caller's to Close.
func Optimize(g *Graph, o *Options) (*Plan, error) {
	var plan *Plan
	err := withBoth(g, o, func(gp, op uintptr) error {
		var p uintptr
		err := call(func() status { return capi.Cfp_optimize(gp, op, &p) })
		if p != 0 {
			plan = newPlan(p)
		}
		return err
	})
	return plan, err
}

// Evaluate prices a per-operator choice (choice[i] indexes op i's strategies, one entry per
// op) under the same cost model as Optimize, ignoring the memory budget.
func Evaluate(g *Graph, o *Options, choice []uint32) (*Plan, error) {
	var plan *Plan
	err := withBoth(g, o, func(gp, op uintptr) error {
		var p uintptr
		if err := call(func() status { return capi.Cfp_evaluate(gp, op, choice, &p) }); err != nil {
			return err
		}
		plan = newPlan(p)
		return nil
	})
	return plan, err
}

// Profile times, for the "cuda" cost model, every strategy of every unique block type (and
// the mesh axes' collectives where enough GPUs are visible) without searching, and saves the
// times in the options' profile DB, so a later Optimize reuses them all. It returns a report
// for people: a summary line, the links per mesh axis, DB warnings, then one line per block
// type. It fails with ErrInvalidArgument unless the cost model is "cuda", and with
// ErrUnsupported or ErrDevice without the CUDA module or a GPU.
func Profile(g *Graph, o *Options) (string, error) {
	var report []byte
	err := withBoth(g, o, func(gp, op uintptr) error {
		return call(func() status { return capi.Cfp_profile(gp, op, &report) })
	})
	return string(report), err
}

// MinMemory is the smallest per-device memory of any plan, in bytes.
func MinMemory(g *Graph, o *Options) (uint64, error) {
	var bytes uint64
	err := withBoth(g, o, func(gp, op uintptr) error {
		return call(func() status { return capi.Cfp_min_memory(gp, op, &bytes) })
	})
	return bytes, err
}

// StrategyCount is the number of strategies of operator op on the options' mesh.
func StrategyCount(g *Graph, o *Options, op uint32) (uint32, error) {
	var n uint32
	err := withBoth(g, o, func(gp, opts uintptr) error {
		return call(func() status { return capi.Cfp_op_strategy_count(gp, opts, op, &n) })
	})
	return n, err
}

// DescribeStrategy is strategy index of operator op in words, e.g. "a0<-[0] a2<-[1] : ...".
func DescribeStrategy(g *Graph, o *Options, op, index uint32) (string, error) {
	var s string
	err := withBoth(g, o, func(gp, opts uintptr) error {
		return call(func() status { return capi.Cfp_op_strategy_describe(gp, opts, op, index, &s) })
	})
	return s, err
}
