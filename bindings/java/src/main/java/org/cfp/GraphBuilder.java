package org.cfp;

import org.cfp.internal.CfpNative;

/**
 * Constructs a graph operator by operator. Ids are dense, from 0, in the order tensors and
 * operators are added. Calls are serialized, so a builder may be shared between threads;
 * {@link #finish()} validates the whole graph.
 */
public final class GraphBuilder extends NativeHandle {
  private static final long[] SCALAR = new long[0];
  private static final int[] NONE = new int[0];

  /** An empty builder for a graph called {@code name} (may be null). */
  public GraphBuilder(String name) {
    super("GraphBuilder", create(name), CfpNative::cfp_graph_builder_destroy);
  }

  private static long create(String name) {
    long[] out = new long[1];
    Native.check(CfpNative.cfp_graph_builder_create(Native.text("name", name), out));
    return out[0];
  }

  /** Adds a tensor and returns its id. A null or empty shape is a scalar. */
  public int addTensor(String name, DType dtype, long[] shape, TensorRole role) {
    String n = Native.text("name", name);
    long[] dims = shape == null ? SCALAR : shape;
    return exclusive(b -> {
      int[] id = new int[1];
      Native.check(CfpNative.cfp_graph_builder_add_tensor(b, n, dtype.code(), dims, role.code(), id));
      return id[0];
    });
  }

  /** Marks {@code tensor} as the gradient of tensor {@code of}. */
  public void setTensorGradientOf(int tensor, int of) {
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_tensor_gradient_of(b, tensor, of));
      return null;
    });
  }

  /** Marks {@code tensor} as the next-step value of parameter or optimizer state {@code replaces}. */
  public void setTensorUpdates(int tensor, int replaces) {
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_tensor_updates(b, tensor, replaces));
      return null;
    });
  }

  /** Value of a rank-0 constant tensor. */
  public void setTensorValue(int tensor, double value) {
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_tensor_value(b, tensor, value));
      return null;
    });
  }

  /** Adds an operator reading {@code inputs} and producing {@code outputs}; returns its id. */
  public int addOp(String name, OpKind kind, int[] inputs, int[] outputs) {
    String n = Native.text("name", name);
    int[] in = inputs == null ? NONE : inputs;
    int[] out = outputs == null ? NONE : outputs;
    return exclusive(b -> {
      int[] id = new int[1];
      Native.check(CfpNative.cfp_graph_builder_add_op(b, n, kind.code(), in, out, id));
      return id[0];
    });
  }

  /** Sets an integer-list attribute ({@link Attr#AXIS} and {@link Attr#COMPARISON} take one value). */
  public void setOpInts(int op, Attr attr, long... values) {
    long[] v = values == null ? SCALAR : values;
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_op_ints(b, op, attr.code(), v));
      return null;
    });
  }

  /** Sets a floating-point attribute ({@link Attr#PAD_VALUE}, {@link Attr#FLOPS_PER_POINT}). */
  public void setOpDouble(int op, Attr attr, double value) {
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_op_double(b, op, attr.code(), value));
      return null;
    });
  }

  /** Scope shown in reports, e.g. "layers.3.attn". */
  public void setOpScope(int op, String scope) {
    String s = Native.text("scope", scope);
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_op_scope(b, op, s));
      return null;
    });
  }

  /** Training-step phase of {@code op}. */
  public void setOpPhase(int op, Phase phase) {
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_op_phase(b, op, phase.code()));
      return null;
    });
  }

  /** Marks {@code op} as part of the derivative of forward operator {@code forwardOp}. */
  public void setOpGradOf(int op, int forwardOp) {
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_op_grad_of(b, op, forwardOp));
      return null;
    });
  }

  /** States {@code op}'s iteration space in einsum notation, e.g. "bsh,hf->bsf". */
  public void setOpEinsum(int op, String spec) {
    String s = Native.text("einsum spec", spec);
    exclusive(b -> {
      Native.check(CfpNative.cfp_graph_builder_set_op_einsum(b, op, s));
      return null;
    });
  }

  /** Validates the graph built so far and returns it. The builder stays usable. */
  public Graph finish() {
    return exclusive(b -> {
      long[] out = new long[1];
      Native.check(CfpNative.cfp_graph_builder_finish(b, out));
      return new Graph(out[0]);
    });
  }
}
