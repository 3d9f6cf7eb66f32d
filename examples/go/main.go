// Builds a GPT training step from the libcfp model zoo (or loads a .cfpg graph file), finds
// its parallelism plan on a 2-D device mesh, and prints the step time, the peak memory and
// the strategy chosen for every forward contraction.
//
//	go run . [--mesh 2x4] [--graph FILE.cfpg | SPEC | PRESET]
//
// SPEC is a model zoo spec such as "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000"
// (the default) or a preset such as "gpt3-1.3b"; see docs/models.md. A graph file comes from
// `cfp model SPEC -o FILE.cfpg`, or from any program that serializes a graph.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"cfp"
)

const defaultSpec = "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000"

func main() {
	meshFlag := flag.String("mesh", "2x4", "device mesh, e.g. 2x4")
	graphFile := flag.String("graph", "", "optimize this .cfpg graph file instead of a model zoo spec")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cfp-example [--mesh AxB] [--graph FILE.cfpg | SPEC | PRESET]")
		flag.PrintDefaults()
	}
	flag.Parse()
	mesh, err := parseMesh(*meshFlag)
	if err != nil || flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	spec := defaultSpec
	if flag.NArg() == 1 {
		spec = flag.Arg(0)
	}
	if err := run(*graphFile, spec, mesh); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func parseMesh(s string) ([]uint32, error) {
	var mesh []uint32
	for _, part := range strings.Split(s, "x") {
		n, err := strconv.ParseUint(part, 10, 32)
		if err != nil {
			return nil, err
		}
		mesh = append(mesh, uint32(n))
	}
	return mesh, nil
}

func run(graphFile, spec string, mesh []uint32) error {
	fmt.Println("libcfp", cfp.Version())
	var g *cfp.Graph
	var err error
	source := "model zoo"
	if graphFile != "" {
		g, err = cfp.LoadGraphFile(graphFile)
		source = graphFile
	} else {
		g, err = cfp.BuildModel(spec)
	}
	if err != nil {
		return err
	}
	defer g.Close()
	name, err := g.Name()
	if err != nil {
		return err
	}
	ops, err := g.OpCount()
	if err != nil {
		return err
	}
	params, err := g.ParameterCount()
	if err != nil {
		return err
	}
	fmt.Printf("graph        %s (%s): %d ops, %d parameters\n", name, source, ops, params)

	opts, err := cfp.NewOptions(cfp.Mesh(mesh...))
	if err != nil {
		return err
	}
	defer opts.Close()
	plan, err := cfp.Optimize(g, opts)
	if err != nil {
		return err
	}
	defer plan.Close()
	return report(g, opts, plan, mesh)
}

func report(g *cfp.Graph, opts *cfp.Options, plan *cfp.Plan, mesh []uint32) error {
	step, err := plan.StepTime()
	if err != nil {
		return err
	}
	compute, err := plan.ComputeTime()
	if err != nil {
		return err
	}
	comm, err := plan.CommTime()
	if err != nil {
		return err
	}
	peak, err := plan.PeakMemory()
	if err != nil {
		return err
	}
	optimal, err := plan.IsOptimal()
	if err != nil {
		return err
	}
	collectives, err := plan.CollectiveCount()
	if err != nil {
		return err
	}
	axes := make([]string, len(mesh))
	for i, n := range mesh {
		axes[i] = strconv.Itoa(int(n))
	}
	quality := "best found"
	if optimal {
		quality = "proven optimal"
	}
	fmt.Printf("mesh         %s\n", strings.Join(axes, "x"))
	fmt.Printf("step time    %s = compute %s + communication %s\n", seconds(step), seconds(compute), seconds(comm))
	fmt.Printf("peak memory  %.2f MiB per device\n", float64(peak)/(1<<20))
	fmt.Printf("plan         %s, %d collectives per step\n", quality, collectives)

	fmt.Println("strategies of the forward contractions:")
	ops, err := g.OpCount()
	if err != nil {
		return err
	}
	for op := uint32(0); op < ops; op++ {
		kind, err := g.OpKind(op)
		if err != nil {
			return err
		}
		phase, err := g.OpPhase(op)
		if err != nil {
			return err
		}
		if kind != cfp.OpDot || phase != cfp.PhaseForward {
			continue
		}
		scope, err := g.OpScope(op)
		if err != nil {
			return err
		}
		if scope == "" {
			scope = "-"
		}
		name, err := g.OpName(op)
		if err != nil {
			return err
		}
		chosen, err := plan.OpStrategy(op)
		if err != nil {
			return err
		}
		strategy, err := cfp.DescribeStrategy(g, opts, op, chosen)
		if err != nil {
			return err
		}
		fmt.Printf("  %-16s %-24s %s\n", scope, name, strategy)
	}
	return nil
}

// seconds formats a time in seconds with a unit that keeps it readable.
func seconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.3f s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3f ms", s*1e3)
	default:
		return fmt.Sprintf("%.3f us", s*1e6)
	}
}
