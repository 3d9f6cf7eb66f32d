package org.cfp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.cfp.internal.CfpNative;

/**
 * A parallelism plan: every operator's strategy, every tensor's sharding, the collectives to
 * insert, and the predicted step time and memory. Immutable; its methods may be called from
 * several threads at once. Close it when done; afterwards every method throws
 * {@link IllegalStateException}.
 */
public final class Plan extends NativeHandle {
  /** What {@link #opBlock} answers for a plan that was evaluated, not searched by blocks. */
  public static final int NO_BLOCK = -1;

  Plan(long pointer) {
    super("Plan", pointer, CfpNative::cfp_plan_destroy);
  }

  /** Loads a plan written by {@link #toBytes()} (verified; {@link Status#INVALID_DATA} if not a plan). */
  public static Plan fromBytes(byte[] data) {
    Objects.requireNonNull(data, "data");
    long[] out = new long[1];
    Native.check(CfpNative.cfp_plan_from_buffer(data, out));
    return new Plan(out[0]);
  }

  private interface DoubleGetter {
    int apply(long plan, double[] out);
  }

  private interface IntGetter {
    int apply(long plan, int[] out);
  }

  private double getDouble(DoubleGetter getter) {
    return shared(p -> {
      double[] out = new double[1];
      Native.check(getter.apply(p, out));
      return out[0];
    });
  }

  private int getInt(IntGetter getter) {
    return shared(p -> {
      int[] out = new int[1];
      Native.check(getter.apply(p, out));
      return out[0];
    });
  }

  /** Predicted step time in seconds: compute plus communication. */
  public double stepTime() {
    return getDouble(CfpNative::cfp_plan_step_time);
  }

  /** Predicted compute time per step in seconds. */
  public double computeTime() {
    return getDouble(CfpNative::cfp_plan_compute_time);
  }

  /** Predicted communication time per step in seconds. */
  public double commTime() {
    return getDouble(CfpNative::cfp_plan_comm_time);
  }

  /**
   * What the search minimized, in seconds: the step time plus tie-breaking penalties (the
   * replicated-parameter penalty), never below {@link #stepTime()}.
   */
  public double objective() {
    return getDouble(CfpNative::cfp_plan_objective);
  }

  /** Peak memory per device in bytes. */
  public long peakMemory() {
    return shared(p -> {
      long[] out = new long[1];
      Native.check(CfpNative.cfp_plan_peak_memory(p, out));
      return out[0];
    });
  }

  /** Whether the plan is proven optimal for the cost model and budget. */
  public boolean isOptimal() {
    return getInt(CfpNative::cfp_plan_is_optimal) != 0;
  }

  /** Number of ParallelBlocks the search used. */
  public int blockCount() {
    return getInt(CfpNative::cfp_plan_block_count);
  }

  /** Number of segments the blocks formed. */
  public int segmentCount() {
    return getInt(CfpNative::cfp_plan_segment_count);
  }

  /** Number of distinct segments (the others reuse their costs). */
  public int uniqueSegmentCount() {
    return getInt(CfpNative::cfp_plan_unique_segment_count);
  }

  /** A search statistic; times in seconds. */
  public double stat(Stat stat) {
    int s = Objects.requireNonNull(stat, "stat").code();
    return getDouble((p, out) -> CfpNative.cfp_plan_stat(p, s, out));
  }

  /** The block {@code op} belongs to, or {@link #NO_BLOCK} for a plan from {@link Optimizer#evaluate}. */
  public int opBlock(int op) {
    return getInt((p, out) -> CfpNative.cfp_plan_op_block(p, op, out));
  }

  /** The strategy of {@code op}: an index into its {@link Optimizer#strategyCount} strategies. */
  public int opStrategy(int op) {
    return getInt((p, out) -> CfpNative.cfp_plan_op_strategy(p, op, out));
  }

  /**
   * The sharding of {@code tensor}, e.g. "[0,-] partial{1}": per dim the mesh axes it is split
   * over ("-" = replicated).
   */
  public String tensorSharding(int tensor) {
    return shared(p -> {
      String[] out = new String[1];
      Native.check(CfpNative.cfp_plan_tensor_sharding(p, tensor, out));
      return out[0];
    });
  }

  /**
   * How the plan's costs were obtained, one line per fact: empty for the analytic model; for
   * "cuda" the device measured on, the block configurations profiled, reused and priced
   * analytically, the profile DB, each mesh axis's links and any profile DB warning.
   */
  public String costNotes() {
    return shared(p -> {
      String[] out = new String[1];
      Native.check(CfpNative.cfp_plan_cost_notes(p, out));
      return out[0];
    });
  }

  /** Number of collectives the plan inserts per step. */
  public int collectiveCount() {
    return getInt(CfpNative::cfp_plan_collective_count);
  }

  /** Collective {@code index}. */
  public Collective collective(int index) {
    return shared(p -> read(p, index));
  }

  /** Every collective the plan inserts per step, in the plan's order. */
  public List<Collective> collectives() {
    return shared(p -> {
      int[] count = new int[1];
      Native.check(CfpNative.cfp_plan_collective_count(p, count));
      List<Collective> all = new ArrayList<>(count[0]);
      for (int i = 0; i < count[0]; i++) all.add(read(p, i));
      return List.copyOf(all);
    });
  }

  private static Collective read(long p, int index) {
    int[] kind = new int[1];
    int[] tensor = new int[1];
    int[] axes = new int[1];
    long[] bytes = new long[1];
    long[] beforeOp = new long[1];
    double[] time = new double[1];
    Native.check(CfpNative.cfp_plan_collective(p, index, kind, tensor, axes, bytes, beforeOp, time));
    return new Collective(CollectiveKind.fromCode(kind[0]), tensor[0], axes[0], bytes[0], beforeOp[0], time[0]);
  }

  /** Serializes the plan as FlatBuffers (schema plan.fbs); {@link #fromBytes} reads it back. */
  public byte[] toBytes() {
    return shared(p -> {
      byte[][] out = new byte[1][];
      Native.check(CfpNative.cfp_plan_to_buffer(p, out));
      return out[0];
    });
  }

  /** The plan as JSON. */
  public String toJson() {
    return shared(p -> {
      byte[][] out = new byte[1][];
      Native.check(CfpNative.cfp_plan_to_json(p, out));
      return new String(out[0], StandardCharsets.UTF_8);
    });
  }
}
