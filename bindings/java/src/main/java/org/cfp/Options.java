package org.cfp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.cfp.internal.CfpNative;

/**
 * Optimizer options. Defaults: mesh [8] of "h100-sxm", analytic costs, a budget equal to the
 * device's memory, all hardware threads. Setters return {@code this} for chaining:
 *
 * <pre>{@code
 * try (Options o = new Options().setMesh(2, 4).setDevice("a100-80gb").setThreads(2)) { ... }
 * }</pre>
 *
 * Setters are serialized; any number of optimizations may read one options object at once.
 */
public final class Options extends NativeHandle {
  /** Options with the library's defaults. */
  public Options() {
    super("Options", create(), CfpNative::cfp_options_destroy);
  }

  private static long create() {
    long[] out = new long[1];
    Native.check(CfpNative.cfp_options_create(out));
    return out[0];
  }

  private interface Setter {
    int apply(long options);
  }

  private Options set(Setter setter) {
    exclusive(o -> {
      Native.check(setter.apply(o));
      return null;
    });
    return this;
  }

  /** Logical device mesh of 1 to 3 axes, e.g. {@code setMesh(8, 8)}. Resets the axis links. */
  public Options setMesh(int... shape) {
    int[] s = Objects.requireNonNull(shape, "shape").clone();
    return set(o -> CfpNative.cfp_options_set_mesh(o, s));
  }

  /** Bandwidth (bytes/s, > 0) and latency (s, >= 0) of collectives along mesh axis {@code axis}. */
  public Options setAxisLink(int axis, double bandwidth, double latency) {
    return set(o -> CfpNative.cfp_options_set_axis_link(o, axis, bandwidth, latency));
  }

  /** GPUs per node, used to pick the default axis links (default 8). */
  public Options setDevicesPerNode(int devices) {
    return set(o -> CfpNative.cfp_options_set_devices_per_node(o, devices));
  }

  /** Device preset: "a100-40gb", "a100-80gb", "h100-sxm" or "h200". Resets device constants and links. */
  public Options setDevice(String preset) {
    String p = Native.text("device preset", Objects.requireNonNull(preset, "preset"));
    return set(o -> CfpNative.cfp_options_set_device(o, p));
  }

  /** Peak dense FLOP/s of the device for arithmetic in {@code dtype}. */
  public Options setDevicePeakFlops(DType dtype, double flops) {
    int d = Objects.requireNonNull(dtype, "dtype").code();
    return set(o -> CfpNative.cfp_options_set_device_peak_flops(o, d, flops));
  }

  /** Device memory bandwidth in bytes/s. */
  public Options setDeviceMemoryBandwidth(double bytesPerSecond) {
    return set(o -> CfpNative.cfp_options_set_device_memory_bandwidth(o, bytesPerSecond));
  }

  /** Device memory capacity in bytes. */
  public Options setDeviceMemoryCapacity(long bytes) {
    return set(o -> CfpNative.cfp_options_set_device_memory_capacity(o, bytes));
  }

  /** Fixed cost per kernel launch. */
  public Options setKernelOverhead(double seconds) {
    return set(o -> CfpNative.cfp_options_set_kernel_overhead(o, seconds));
  }

  /** Per-device memory budget in bytes; 0 means the device's capacity. */
  public Options setMemoryBudget(long bytes) {
    return set(o -> CfpNative.cfp_options_set_memory_budget(o, bytes));
  }

  /** Multiplier on compute time (1 by default; 0 prices communication only). */
  public Options setComputeScale(double scale) {
    return set(o -> CfpNative.cfp_options_set_compute_scale(o, scale));
  }

  /**
   * Micro-batches per step (default 1): the graph is one micro-batch; a step runs its forward
   * and backward work this many times, then the gradient reductions and the update once.
   */
  public Options setMicrobatches(int microbatches) {
    return set(o -> CfpNative.cfp_options_set_microbatches(o, microbatches));
  }

  /** Whether a contraction may run replicated along a mesh axis (default true). */
  public Options setAllowReplicatedContractions(boolean allow) {
    return set(o -> CfpNative.cfp_options_set_allow_replicated_contractions(o, allow ? 1 : 0));
  }

  /** Time charged per replicated parameter byte, a tie-breaker favouring sharded parameters (default 0). */
  public Options setReplicatedParameterPenalty(double secondsPerByte) {
    return set(o -> CfpNative.cfp_options_set_replicated_parameter_penalty(o, secondsPerByte));
  }

  /**
   * Alpa's auto-sharding test convention: every link of the mesh set so far gets latency
   * alpha = 1 s and bandwidth 1 / beta = 1 byte/s, compute is free, contractions may not
   * run replicated, and replicated parameters cost 1e-9 s per byte (in {@link
   * Plan#objective()} only). All-to-all is the plain alpha-beta formula, without Alpa's
   * empirical factor. Call it after {@link #setMesh}: setMesh and setDevice reset the links
   * to the device's, and later setters override what they set (cfp.h says exactly how).
   */
  public Options useAlpaTestConvention() {
    return set(CfpNative::cfp_options_use_alpa_test_convention);
  }

  /** Cost model: "analytic" (default) or "cuda" (profiles on the local GPU). */
  public Options setCostModel(String name) {
    String n = Native.text("cost model", Objects.requireNonNull(name, "name"));
    return set(o -> CfpNative.cfp_options_set_cost_model(o, n));
  }

  /** Profile database of the "cuda" cost model. */
  public Options setProfileDb(Path path) {
    String p = Native.text("path", Objects.requireNonNull(path, "path").toString());
    return set(o -> CfpNative.cfp_options_set_profile_db(o, p));
  }

  /** Worker threads (0 = all hardware threads). */
  public Options setThreads(int threads) {
    return set(o -> CfpNative.cfp_options_set_threads(o, threads));
  }

  /** Wall-clock limit of the search ({@link Duration#ZERO} = none). */
  public Options setTimeLimit(Duration limit) {
    Objects.requireNonNull(limit, "limit");
    double seconds = limit.getSeconds() + limit.getNano() / 1e9;
    return set(o -> CfpNative.cfp_options_set_time_limit(o, seconds));
  }

  /** Limit on the memory the search itself may use, in bytes (0 = none). */
  public Options setSearchMemoryLimit(long bytes) {
    return set(o -> CfpNative.cfp_options_set_search_memory_limit(o, bytes));
  }
}
