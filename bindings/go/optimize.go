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
