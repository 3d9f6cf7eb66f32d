package org.cfp;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.cfp.internal.CfpNative;

/**
 * Finds and prices parallelism plans. Graphs and options are only read, so any number of
 * these calls may run on one graph and one options object at once.
 */
public final class Optimizer {
  private Optimizer() {}

  private interface Call<T> {
    T apply(long graph, long options);
  }

  private static <T> T withBoth(Graph graph, Options options, Call<T> call) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(options, "options");
    return graph.shared(g -> options.shared(o -> call.apply(g, o)));
  }

  /**
   * The plan of least predicted step time within the memory budget.
   *
   * @throws CfpException {@link Status#INFEASIBLE} when no plan fits the budget (the message
   *     says how much memory the smallest plan needs)
   * @throws SearchLimitException when the time or memory limit stopped the search, with the
   *     best plan found so far if there is one
   */
  public static Plan optimize(Graph graph, Options options) {
    return withBoth(graph, options, (g, o) -> {
      long[] out = new long[1];
      int code = CfpNative.cfp_optimize(g, o, out);
      if (code == 0) return new Plan(out[0]);
      String message = CfpNative.cfp_last_error_message();
      Plan best = out[0] != 0 ? new Plan(out[0]) : null;
      if (code == Status.TIME_LIMIT.code() || code == Status.MEMORY_LIMIT.code()) {
        throw new SearchLimitException(code, message, best);
      }
      if (best != null) best.close();
      throw new CfpException(code, message);
    });
  }

  /**
   * Prices a per-operator choice ({@code choicePerOp[i]} indexes op i's strategies, one entry
   * per op) under the same cost model as {@link #optimize}, ignoring the memory budget.
   */
  public static Plan evaluate(Graph graph, Options options, int[] choicePerOp) {
    int[] choice = Objects.requireNonNull(choicePerOp, "choicePerOp").clone();
    return withBoth(graph, options, (g, o) -> {
      long[] out = new long[1];
      Native.check(CfpNative.cfp_evaluate(g, o, choice, out));
      return new Plan(out[0]);
    });
  }

  /**
   * Profiles without searching, for the "cuda" cost model: times every strategy of every
   * unique block type (and the mesh axes' collectives where enough GPUs are visible) and
   * saves them in the options' profile DB, so a later {@link #optimize} reuses them all.
   *
   * @return a report for people: a summary line, the links per mesh axis, DB warnings, then
   *     one line per block type
   * @throws CfpException {@link Status#INVALID_ARGUMENT} unless the cost model is "cuda";
   *     {@link Status#UNSUPPORTED} / {@link Status#DEVICE} without the CUDA module / a GPU
   */
  public static String profile(Graph graph, Options options) {
    return withBoth(graph, options, (g, o) -> {
      byte[][] out = new byte[1][];
      Native.check(CfpNative.cfp_profile(g, o, out));
      return new String(out[0], StandardCharsets.UTF_8);
    });
  }

  /** Smallest per-device memory of any plan, in bytes. */
  public static long minMemory(Graph graph, Options options) {
    return withBoth(graph, options, (g, o) -> {
      long[] out = new long[1];
      Native.check(CfpNative.cfp_min_memory(g, o, out));
      return out[0];
    });
  }

  /** Number of strategies of operator {@code op} on the options' mesh. */
  public static int strategyCount(Graph graph, Options options, int op) {
    return withBoth(graph, options, (g, o) -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_op_strategy_count(g, o, op, out));
      return out[0];
    });
  }

  /** Strategy {@code index} of operator {@code op} in words, e.g. "a0&lt;-[0] a2&lt;-[1] : ...". */
  public static String describeStrategy(Graph graph, Options options, int op, int index) {
    return withBoth(graph, options, (g, o) -> {
      String[] out = new String[1];
      Native.check(CfpNative.cfp_op_strategy_describe(g, o, op, index, out));
      return out[0];
    });
  }
}
