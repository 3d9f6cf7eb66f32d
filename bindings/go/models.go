package cfp

import "cfp/internal/capi"

// BuildModel builds a training-step graph from the model zoo: a preset name ("gpt3-175b",
// "llama2-7b", ...), a spec ("gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000")
// or a preset with overrides ("gpt3-175b:batch=8"); see docs/models.md. ErrInvalidArgument
// names a bad key or value.
func BuildModel(spec string) (*Graph, error) {
	if err := cString("model spec", spec); err != nil {
		return nil, err
	}
	var p uintptr
	if err := call(func() status { return capi.Cfp_model_build(spec, &p) }); err != nil {
		return nil, err
	}
	return newGraph(p), nil
}

// ModelPresets lists the names of the model presets.
func ModelPresets() ([]string, error) {
	var n uint32
	if err := call(func() status { return capi.Cfp_model_preset_count(&n) }); err != nil {
		return nil, err
	}
	names := make([]string, n)
	for i := range names {
		// A fresh string each time: cgo refuses a pointer into an array that already holds
		// Go strings.
		var name string
		if err := call(func() status { return capi.Cfp_model_preset_name(uint32(i), &name) }); err != nil {
			return nil, err
		}
		names[i] = name
	}
	return names, nil
}
