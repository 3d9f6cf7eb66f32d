package org.cfp;

import java.util.Locale;
import java.util.Objects;

/** One collective a plan inserts per step: a value, independent of the plan it came from. */
public final class Collective {
  private final CollectiveKind kind;
  private final int tensor;
  private final int meshAxesMask;
  private final long bytes;
  private final long beforeOp;
  private final double time;

  Collective(CollectiveKind kind, int tensor, int meshAxesMask, long bytes, long beforeOp, double time) {
    this.kind = kind;
    this.tensor = tensor;
    this.meshAxesMask = meshAxesMask;
    this.bytes = bytes;
    this.beforeOp = beforeOp;
    this.time = time;
  }

  /** All-reduce, all-gather, reduce-scatter or all-to-all. */
  public CollectiveKind kind() {
    return kind;
  }

  /** The tensor it moves. */
  public int tensor() {
    return tensor;
  }

  /** The mesh axes it runs over, as a bit mask (bit i = axis i). */
  public int meshAxesMask() {
    return meshAxesMask;
  }

  /** Whether it runs over mesh axis {@code axis}. */
  public boolean usesAxis(int axis) {
    return axis >= 0 && axis < 32 && (meshAxesMask & (1 << axis)) != 0;
  }

  /** Bytes per device. */
  public long bytes() {
    return bytes;
  }

  /** The op it must precede, or -1 when it runs at the end of the step. */
  public long beforeOp() {
    return beforeOp;
  }

  /** Whether it runs at the end of the step rather than before an op. */
  public boolean atEndOfStep() {
    return beforeOp < 0;
  }

  /** Its estimated time in seconds. */
  public double time() {
    return time;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Collective)) return false;
    Collective c = (Collective) o;
    return kind == c.kind && tensor == c.tensor && meshAxesMask == c.meshAxesMask && bytes == c.bytes
        && beforeOp == c.beforeOp && Double.compare(time, c.time) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, tensor, meshAxesMask, bytes, beforeOp, time);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s of tensor %d over axes 0x%x, %d bytes, %s, %.3g s", kind, tensor,
        meshAxesMask, bytes, atEndOfStep() ? "end of step" : "before op " + beforeOp, time);
  }
}
