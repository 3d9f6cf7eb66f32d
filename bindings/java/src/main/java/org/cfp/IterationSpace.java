package org.cfp;

import java.util.Arrays;

/**
 * The iteration space of one operator: a value, independent of the graph it came from.
 * The operator is a loop nest over axes {@code 0 .. axisCount()-1}, each with a size and
 * parallel or a reduction; every dim of every operand is made of a list of axes, outermost
 * first (none for a size-1 dim broadcast against a larger one). Operands are numbered
 * inputs first, then outputs. Strategies split these axes: in
 * {@link Optimizer#describeStrategy} "a0&lt;-[0]" splits axis 0 over mesh axis 0.
 */
public final class IterationSpace {
  private final long[] sizes;
  private final boolean[] reduction;
  private final boolean[] splittable;
  private final int inputCount;
  private final int[][][] dims;

  IterationSpace(long[] sizes, boolean[] reduction, boolean[] splittable, int inputCount, int[][][] dims) {
    this.sizes = sizes;
    this.reduction = reduction;
    this.splittable = splittable;
    this.inputCount = inputCount;
    this.dims = dims;
  }

  /** Number of axes. */
  public int axisCount() {
    return sizes.length;
  }

  /** Size of axis {@code axis}. */
  public long axisSize(int axis) {
    return sizes[axis];
  }

  /** Whether axis {@code axis} is a reduction axis (summed over; in no output). */
  public boolean isReduction(int axis) {
    return reduction[axis];
  }

  /** Whether axis {@code axis} may be split across devices. */
  public boolean isSplittable(int axis) {
    return splittable[axis];
  }

  /** Number of operands: the operator's inputs, then its outputs. */
  public int operandCount() {
    return dims.length;
  }

  /** Number of inputs; operand {@code i} is an input for {@code i < inputCount()}. */
  public int inputCount() {
    return inputCount;
  }

  /** Rank of operand {@code operand}. */
  public int rank(int operand) {
    return dims[operand].length;
  }

  /** The axes dim {@code dim} of operand {@code operand} is made of, outermost first. */
  public int[] dimAxes(int operand, int dim) {
    return dims[operand][dim].clone();
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof IterationSpace)) return false;
    IterationSpace o = (IterationSpace) other;
    return inputCount == o.inputCount && Arrays.equals(sizes, o.sizes) && Arrays.equals(reduction, o.reduction)
        && Arrays.equals(splittable, o.splittable) && Arrays.deepEquals(dims, o.dims);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(sizes) + Arrays.deepHashCode(dims);
  }

  /**
   * Einsum-like text, as {@link Optimizer#describeStrategy} prints after " : ": axes
   * labelled a, b, c, ... by id (a26, a27, ... past z), a dim of several axes in
   * parentheses, e.g. "ab,bc-&gt;ac".
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (int o = 0; o < dims.length; o++) {
      if (o == inputCount) s.append("->");
      else if (o > 0) s.append(',');
      for (int[] axes : dims[o]) {
        if (axes.length == 1) {
          s.append(label(axes[0]));
        } else {
          s.append('(');
          for (int a : axes) s.append(label(a));
          s.append(')');
        }
      }
    }
    if (inputCount == dims.length) s.append("->");
    return s.toString();
  }

  private static String label(int axis) {
    return axis < 26 ? String.valueOf((char) ('a' + axis)) : "a" + axis;
  }
}
