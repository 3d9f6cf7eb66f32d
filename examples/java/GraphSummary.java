// Builds a two-layer MLP with the libcfp graph builder, serializes it and reloads it, then
// loads each .cfpg file named on the command line and prints its operators by kind.
//
//   java -cp cfp-0.1.0.jar -Djava.library.path=DIR_OF_libcfp_jni GraphSummary.java \
//        [--save mlp.cfpg] [graph.cfpg ...]
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cfp.Attr;
import org.cfp.Cfp;
import org.cfp.CfpException;
import org.cfp.DType;
import org.cfp.Graph;
import org.cfp.GraphBuilder;
import org.cfp.OpKind;
import org.cfp.TensorRole;

public class GraphSummary {
  public static void main(String[] args) {
    Path save = null;
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--save") && i + 1 < args.length) {
        save = Path.of(args[++i]);
      } else {
        inputs.add(Path.of(args[i]));
      }
    }
    try {
      run(save, inputs);
    } catch (CfpException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  static void run(Path save, List<Path> inputs) {
    System.out.println("libcfp " + Cfp.version());
    try (Graph g = buildMlp(32, 256)) {
      byte[] data = g.toBytes();
      try (Graph reloaded = Graph.fromBytes(data)) {
        summarize("built", reloaded);
      }
      System.out.println("  serialized: " + data.length + " bytes");
      if (save != null) {
        g.toFile(save);
        System.out.println("  saved to " + save);
      }
    }
    for (Path path : inputs) {
      try (Graph g = Graph.fromFile(path)) {
        summarize("loaded " + path, g);
      }
    }
  }

  /** x[batch,hidden] -> relu(x @ w1 + b1) @ w2. */
  static Graph buildMlp(long batch, long hidden) {
    try (GraphBuilder b = new GraphBuilder("tiny-mlp")) {
      long[] act = {batch, hidden};
      int x = b.addTensor("x", DType.F32, act, TensorRole.DATA_INPUT);
      int w1 = b.addTensor("w1", DType.F32, new long[] {hidden, hidden}, TensorRole.PARAMETER);
      int b1 = b.addTensor("b1", DType.F32, new long[] {hidden}, TensorRole.PARAMETER);
      int w2 = b.addTensor("w2", DType.F32, new long[] {hidden, hidden}, TensorRole.PARAMETER);
      int h = b.addTensor("h", DType.F32, act, TensorRole.ACTIVATION);
      int bb = b.addTensor("b1.bcast", DType.F32, act, TensorRole.ACTIVATION);
      int hb = b.addTensor("h.bias", DType.F32, act, TensorRole.ACTIVATION);
      int zero = b.addTensor("zero", DType.F32, null, TensorRole.CONSTANT);
      int r = b.addTensor("relu", DType.F32, act, TensorRole.ACTIVATION);
      int y = b.addTensor("y", DType.F32, act, TensorRole.ACTIVATION);

      int dense1 = b.addOp("dense1", OpKind.DOT, new int[] {x, w1}, new int[] {h});
      b.setOpInts(dense1, Attr.LHS_CONTRACT, 1);
      b.setOpInts(dense1, Attr.RHS_CONTRACT, 0);
      b.setOpScope(dense1, "mlp.0");
      int bc = b.addOp("bias.broadcast", OpKind.BROADCAST, new int[] {b1}, new int[] {bb});
      b.setOpInts(bc, Attr.DIMS, 1);
      b.addOp("bias.add", OpKind.ADD, new int[] {h, bb}, new int[] {hb});
      b.addOp("relu", OpKind.MAXIMUM, new int[] {hb, zero}, new int[] {r});
      int dense2 = b.addOp("dense2", OpKind.DOT, new int[] {r, w2}, new int[] {y});
      b.setOpInts(dense2, Attr.LHS_CONTRACT, 1);
      b.setOpInts(dense2, Attr.RHS_CONTRACT, 0);
      b.setOpScope(dense2, "mlp.1");
      return b.finish();
    }
  }

  /** Prints the graph's size and its operators by kind. */
  static void summarize(String label, Graph g) {
    System.out.printf("%s: %s, %d ops, %d tensors, %d parameters, %.0f FLOPs%n", label, g.name(), g.opCount(),
        g.tensorCount(), g.parameterCount(), g.flops());
    Map<String, Integer> byKind = new TreeMap<>();
    for (int op = 0; op < g.opCount(); op++) byKind.merge(g.opKind(op).libraryName(), 1, Integer::sum);
    byKind.forEach((kind, n) -> System.out.printf("  %-10s %d%n", kind, n));
  }
}
