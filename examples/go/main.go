// Builds a two-layer MLP with the libcfp graph builder, serializes it and reloads it, then
// loads each .cfpg file named on the command line and prints its operators by kind.
//
//	go run . [--save mlp.cfpg] [graph.cfpg ...]
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"

	"cfp"
)

func main() {
	save := flag.String("save", "", "also write the built MLP to this .cfpg file")
	flag.Parse()
	if err := run(*save, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(save string, paths []string) error {
	fmt.Println("libcfp", cfp.Version())

	g, err := buildMlp(32, 256)
	if err != nil {
		return err
	}
	defer g.Close()
	data, err := g.Bytes()
	if err != nil {
		return err
	}
	reloaded, err := cfp.LoadGraph(data)
	if err != nil {
		return err
	}
	defer reloaded.Close()
	if err := summarize("built", reloaded); err != nil {
		return err
	}
	fmt.Printf("  serialized: %d bytes\n", len(data))
	if save != "" {
		if err := g.WriteFile(save); err != nil {
			return err
		}
		fmt.Println("  saved to", save)
	}

	for _, path := range paths {
		loaded, err := cfp.LoadGraphFile(path)
		if err != nil {
			return err
		}
		err = summarize("loaded "+path, loaded)
		loaded.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// buildMlp builds x[batch,hidden] -> relu(x @ w1 + b1) @ w2.
func buildMlp(batch, hidden int64) (*cfp.Graph, error) {
	b, err := cfp.NewGraphBuilder("tiny-mlp")
	if err != nil {
		return nil, err
	}
	defer b.Close()
	var firstErr error
	keep := func(id uint32, err error) uint32 {
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return id
	}
	check := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	act := []int64{batch, hidden}
	x := keep(b.AddTensor("x", cfp.F32, act, cfp.RoleDataInput))
	w1 := keep(b.AddTensor("w1", cfp.F32, []int64{hidden, hidden}, cfp.RoleParameter))
	b1 := keep(b.AddTensor("b1", cfp.F32, []int64{hidden}, cfp.RoleParameter))
	w2 := keep(b.AddTensor("w2", cfp.F32, []int64{hidden, hidden}, cfp.RoleParameter))
	h := keep(b.AddTensor("h", cfp.F32, act, cfp.RoleActivation))
	bb := keep(b.AddTensor("b1.bcast", cfp.F32, act, cfp.RoleActivation))
	hb := keep(b.AddTensor("h.bias", cfp.F32, act, cfp.RoleActivation))
	zero := keep(b.AddTensor("zero", cfp.F32, nil, cfp.RoleConstant))
	r := keep(b.AddTensor("relu", cfp.F32, act, cfp.RoleActivation))
	y := keep(b.AddTensor("y", cfp.F32, act, cfp.RoleActivation))

	dot1 := keep(b.AddOp("dense1", cfp.OpDot, []uint32{x, w1}, []uint32{h}))
	check(b.SetOpInts(dot1, cfp.AttrLhsContract, 1))
	check(b.SetOpInts(dot1, cfp.AttrRhsContract, 0))
	check(b.SetOpScope(dot1, "mlp.0"))
	bc := keep(b.AddOp("bias.broadcast", cfp.OpBroadcast, []uint32{b1}, []uint32{bb}))
	check(b.SetOpInts(bc, cfp.AttrDims, 1))
	keep(b.AddOp("bias.add", cfp.OpAdd, []uint32{h, bb}, []uint32{hb}))
	keep(b.AddOp("relu", cfp.OpMaximum, []uint32{hb, zero}, []uint32{r}))
	dot2 := keep(b.AddOp("dense2", cfp.OpDot, []uint32{r, w2}, []uint32{y}))
	check(b.SetOpInts(dot2, cfp.AttrLhsContract, 1))
	check(b.SetOpInts(dot2, cfp.AttrRhsContract, 0))
	check(b.SetOpScope(dot2, "mlp.1"))
	if firstErr != nil {
		return nil, firstErr
	}
	return b.Finish()
}

// summarize prints the graph's size and its operators by kind.
func summarize(label string, g *cfp.Graph) error {
	name, err := g.Name()
	if err != nil {
		return err
	}
	ops, err := g.OpCount()
	if err != nil {
		return err
	}
	tensors, err := g.TensorCount()
	if err != nil {
		return err
	}
	params, err := g.ParameterCount()
	if err != nil {
		return err
	}
	flops, err := g.Flops()
	if err != nil {
		return err
	}
	fmt.Printf("%s: %s, %d ops, %d tensors, %d parameters, %.0f FLOPs\n", label, name, ops, tensors, params, flops)
	byKind := map[string]int{}
	for op := uint32(0); op < ops; op++ {
		kind, err := g.OpKind(op)
		if err != nil {
			return err
		}
		byKind[kind.String()]++
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Printf("  %-10s %d\n", k, byKind[k])
	}
	return nil
}
