package org.cfp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.cfp.internal.CfpNative;

/** The model zoo: training-step graphs of MLP, GPT, LLaMA and MoE models (docs/models.md). */
public final class Models {
  private Models() {}

  /**
   * Builds a training-step graph from a preset name ("gpt3-175b", "llama2-7b", ...), a spec
   * ("gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000") or a preset with overrides
   * ("gpt3-175b:batch=8"). {@link Status#INVALID_ARGUMENT} names a bad key or value.
   */
  public static Graph build(String spec) {
    String s = Native.text("model spec", Objects.requireNonNull(spec, "spec"));
    long[] out = new long[1];
    Native.check(CfpNative.cfp_model_build(s, out));
    return new Graph(out[0]);
  }

  /** The names of the model presets. */
  public static List<String> presets() {
    int[] count = new int[1];
    Native.check(CfpNative.cfp_model_preset_count(count));
    List<String> names = new ArrayList<>(count[0]);
    String[] name = new String[1];
    for (int i = 0; i < count[0]; i++) {
      Native.check(CfpNative.cfp_model_preset_name(i, name));
      names.add(name[0]);
    }
    return List.copyOf(names);
  }
}
