package org.cfp;

import java.nio.file.Path;
import java.util.Objects;
import org.cfp.internal.CfpNative;
import org.cfp.internal.CfpNativeConstants;

/**
 * An immutable, validated graph of tensors and operators. Its methods may be called from
 * several threads at once. Close it when done (try-with-resources); afterwards every
 * method throws {@link IllegalStateException}.
 */
public final class Graph extends NativeHandle {
  /** What {@link #tensorProducer} answers for a graph input (CFP_NO_OP, bit for bit). */
  public static final int NO_OP = (int) CfpNativeConstants.CFP_NO_OP;
  /**
   * What {@link #tensorGradientOf} and {@link #tensorUpdates} answer for a tensor without
   * that link (CFP_NO_TENSOR, bit for bit).
   */
  public static final int NO_TENSOR = (int) CfpNativeConstants.CFP_NO_TENSOR;

  Graph(long pointer) {
    super("Graph", pointer, CfpNative::cfp_graph_destroy);
  }

  /** Verifies and loads a FlatBuffers graph (schema graph.fbs, identifier "CFPG"). */
  public static Graph fromBytes(byte[] data) {
    Objects.requireNonNull(data, "data");
    long[] out = new long[1];
    Native.check(CfpNative.cfp_graph_from_buffer(data, out));
    return new Graph(out[0]);
  }

  /** Loads a graph file (.cfpg) written by {@link #toFile} or the cfp tool. */
  public static Graph fromFile(Path path) {
    String p = Native.text("path", Objects.requireNonNull(path, "path").toString());
    long[] out = new long[1];
    Native.check(CfpNative.cfp_graph_from_file(p, out));
    return new Graph(out[0]);
  }

  /**
   * The training step of this forward graph: reverse-mode gradients of every parameter with
   * respect to the scalar loss (the last op's output) and the update of {@code optimizer}
   * ("adam" or "sgd").
   */
  public Graph makeTraining(String optimizer) {
    String name = Native.text("optimizer", Objects.requireNonNull(optimizer, "optimizer"));
    return shared(g -> {
      long[] out = new long[1];
      Native.check(CfpNative.cfp_graph_make_training(g, name, out));
      return new Graph(out[0]);
    });
  }

  /** Serializes the graph as a FlatBuffers buffer. */
  public byte[] toBytes() {
    return shared(g -> {
      byte[][] out = new byte[1][];
      Native.check(CfpNative.cfp_graph_to_buffer(g, out));
      return out[0];
    });
  }

  /** Writes the graph to {@code path} atomically. */
  public void toFile(Path path) {
    String p = Native.text("path", Objects.requireNonNull(path, "path").toString());
    shared(g -> {
      Native.check(CfpNative.cfp_graph_to_file(g, p));
      return null;
    });
  }

  /** The graph's name. */
  public String name() {
    return shared(g -> {
      String[] out = new String[1];
      Native.check(CfpNative.cfp_graph_name(g, out));
      return out[0];
    });
  }

  /** Number of operators; their ids are 0 .. opCount()-1. */
  public int opCount() {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_op_count(g, out));
      return out[0];
    });
  }

  /** Number of tensors; their ids are 0 .. tensorCount()-1. */
  public int tensorCount() {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_tensor_count(g, out));
      return out[0];
    });
  }

  /** Name of operator {@code op}. */
  public String opName(int op) {
    return shared(g -> {
      String[] out = new String[1];
      Native.check(CfpNative.cfp_graph_op_name(g, op, out));
      return out[0];
    });
  }

  /** Kind of operator {@code op}. */
  public OpKind opKind(int op) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_op_kind(g, op, out));
      return OpKind.fromCode(out[0]);
    });
  }

  /** Scope of operator {@code op} ("" if none), e.g. "layers.3.mlp". */
  public String opScope(int op) {
    return shared(g -> {
      String[] out = new String[1];
      Native.check(CfpNative.cfp_graph_op_scope(g, op, out));
      return out[0];
    });
  }

  /** Phase of operator {@code op}: forward, backward or optimizer update. */
  public Phase opPhase(int op) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_op_phase(g, op, out));
      return Phase.fromCode(out[0]);
    });
  }

  /** Tensor ids of the inputs of operator {@code op}, in operand order. */
  public int[] opInputs(int op) {
    return shared(g -> {
      int[] count = new int[1];
      Native.check(CfpNative.cfp_graph_op_input_count(g, op, count));
      int[] ids = new int[count[0]];
      int[] id = new int[1];
      for (int i = 0; i < ids.length; i++) {
        Native.check(CfpNative.cfp_graph_op_input(g, op, i, id));
        ids[i] = id[0];
      }
      return ids;
    });
  }

  /** Tensor ids of the outputs of operator {@code op}. */
  public int[] opOutputs(int op) {
    return shared(g -> {
      int[] count = new int[1];
      Native.check(CfpNative.cfp_graph_op_output_count(g, op, count));
      int[] ids = new int[count[0]];
      int[] id = new int[1];
      for (int i = 0; i < ids.length; i++) {
        Native.check(CfpNative.cfp_graph_op_output(g, op, i, id));
        ids[i] = id[0];
      }
      return ids;
    });
  }

  /**
   * The forward operator that backward operator {@code op} differentiates, or
   * {@link #NO_OP} if it has no such hint.
   */
  public int opGradOf(int op) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_op_grad_of(g, op, out));
      return out[0];
    });
  }

  /** The iteration space of operator {@code op}: its axes and the axes of its operands' dims. */
  public IterationSpace opIterationSpace(int op) {
    return shared(g -> {
      int[] n = new int[1];
      Native.check(CfpNative.cfp_graph_op_axis_count(g, op, n));
      long[] sizes = new long[n[0]];
      boolean[] reduction = new boolean[n[0]];
      boolean[] splittable = new boolean[n[0]];
      long[] size = new long[1];
      int[] flag = new int[1];
      for (int a = 0; a < sizes.length; a++) {
        Native.check(CfpNative.cfp_graph_op_axis_size(g, op, a, size));
        sizes[a] = size[0];
        Native.check(CfpNative.cfp_graph_op_axis_is_reduction(g, op, a, flag));
        reduction[a] = flag[0] != 0;
        Native.check(CfpNative.cfp_graph_op_axis_splittable(g, op, a, flag));
        splittable[a] = flag[0] != 0;
      }
      int[] inputs = new int[1];
      int[] outputs = new int[1];
      Native.check(CfpNative.cfp_graph_op_input_count(g, op, inputs));
      Native.check(CfpNative.cfp_graph_op_output_count(g, op, outputs));
      int[][][] dims = new int[inputs[0] + outputs[0]][][];
      int[] id = new int[1];
      for (int o = 0; o < dims.length; o++) {
        // An operand's rank is its tensor's.
        if (o < inputs[0]) Native.check(CfpNative.cfp_graph_op_input(g, op, o, id));
        else Native.check(CfpNative.cfp_graph_op_output(g, op, o - inputs[0], id));
        Native.check(CfpNative.cfp_graph_tensor_rank(g, id[0], n));
        dims[o] = new int[n[0]][];
        for (int d = 0; d < dims[o].length; d++) {
          Native.check(CfpNative.cfp_graph_op_operand_dim_axis_count(g, op, o, d, n));
          dims[o][d] = new int[n[0]];
          for (int i = 0; i < dims[o][d].length; i++) {
            Native.check(CfpNative.cfp_graph_op_operand_dim_axis(g, op, o, d, i, id));
            dims[o][d][i] = id[0];
          }
        }
      }
      return new IterationSpace(sizes, reduction, splittable, inputs[0], dims);
    });
  }

  /** The operator producing {@code tensor}, or {@link #NO_OP} for a graph input. */
  public int tensorProducer(int tensor) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_tensor_producer(g, tensor, out));
      return out[0];
    });
  }

  /**
   * The forward tensor {@code tensor} is the gradient of, or {@link #NO_TENSOR} if it has
   * no such hint.
   */
  public int tensorGradientOf(int tensor) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_tensor_gradient_of(g, tensor, out));
      return out[0];
    });
  }

  /**
   * The parameter or optimizer state {@code tensor} replaces in the next step, or
   * {@link #NO_TENSOR} if it replaces none.
   */
  public int tensorUpdates(int tensor) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_tensor_updates(g, tensor, out));
      return out[0];
    });
  }

  /** Name of tensor {@code tensor}. */
  public String tensorName(int tensor) {
    return shared(g -> {
      String[] out = new String[1];
      Native.check(CfpNative.cfp_graph_tensor_name(g, tensor, out));
      return out[0];
    });
  }

  /** Element type of tensor {@code tensor}. */
  public DType tensorDType(int tensor) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_tensor_dtype(g, tensor, out));
      return DType.fromCode(out[0]);
    });
  }

  /** Role of tensor {@code tensor}. */
  public TensorRole tensorRole(int tensor) {
    return shared(g -> {
      int[] out = new int[1];
      Native.check(CfpNative.cfp_graph_tensor_role(g, tensor, out));
      return TensorRole.fromCode(out[0]);
    });
  }

  /** Shape of tensor {@code tensor} (empty for a scalar). */
  public long[] tensorShape(int tensor) {
    return shared(g -> {
      int[] rank = new int[1];
      Native.check(CfpNative.cfp_graph_tensor_rank(g, tensor, rank));
      long[] shape = new long[rank[0]];
      long[] dim = new long[1];
      for (int d = 0; d < shape.length; d++) {
        Native.check(CfpNative.cfp_graph_tensor_dim(g, tensor, d, dim));
        shape[d] = dim[0];
      }
      return shape;
    });
  }

  /** Number of elements in all parameter tensors. */
  public long parameterCount() {
    return shared(g -> {
      long[] out = new long[1];
      Native.check(CfpNative.cfp_graph_parameter_count(g, out));
      return out[0];
    });
  }

  /** Floating-point operations of one execution of the graph (multiply-add = 2). */
  public double flops() {
    return shared(g -> {
      double[] out = new double[1];
      Native.check(CfpNative.cfp_graph_flops(g, out));
      return out[0];
    });
  }
}
