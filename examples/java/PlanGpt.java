// Builds a GPT training step from the libcfp model zoo (or loads a .cfpg graph file), finds
// its parallelism plan on a 2-D device mesh, and prints the step time, the peak memory and
// the strategy chosen for every forward contraction.
//
//   java -cp cfp-0.1.0.jar -Dcfp.jni.library=/abs/path/libcfp_jni.so PlanGpt.java \
//        [--mesh 2x4] [--graph FILE.cfpg | SPEC | PRESET]
//
// SPEC is a model zoo spec such as "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000"
// (the default) or a preset such as "gpt3-1.3b"; see docs/models.md.
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.cfp.Cfp;
import org.cfp.CfpException;
import org.cfp.Graph;
import org.cfp.Models;
import org.cfp.OpKind;
import org.cfp.Optimizer;
import org.cfp.Options;
import org.cfp.Phase;
import org.cfp.Plan;

public class PlanGpt {
  static final String DEFAULT_SPEC = "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000";

  public static void main(String[] args) {
    String spec = DEFAULT_SPEC;
    Path file = null;
    int[] mesh = {2, 4};
    try {
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--mesh") && i + 1 < args.length) {
          mesh = Arrays.stream(args[++i].split("x")).mapToInt(Integer::parseInt).toArray();
        } else if (args[i].equals("--graph") && i + 1 < args.length) {
          file = Path.of(args[++i]);
        } else if (args[i].startsWith("-")) {
          throw new IllegalArgumentException("unknown option " + args[i]);
        } else {
          spec = args[i];
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("usage: PlanGpt [--mesh AxB] [--graph FILE.cfpg | SPEC | PRESET] (" + e.getMessage() + ")");
      System.exit(2);
    }
    try {
      run(file, spec, mesh);
    } catch (CfpException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  static void run(Path file, String spec, int[] mesh) {
    System.out.println("libcfp " + Cfp.version());
    try (Graph graph = file != null ? Graph.fromFile(file) : Models.build(spec);
        Options options = new Options().setMesh(mesh)) {
      System.out.printf(Locale.ROOT, "graph        %s (%s): %d ops, %d parameters%n", graph.name(),
          file != null ? file : "model zoo", graph.opCount(), graph.parameterCount());
      try (Plan plan = Optimizer.optimize(graph, options)) {
        print(graph, options, plan, mesh);
      }
    }
  }

  static void print(Graph graph, Options options, Plan plan, int[] mesh) {
    System.out.printf(Locale.ROOT, "mesh         %s%n",
        String.join("x", Arrays.stream(mesh).mapToObj(Integer::toString).toArray(String[]::new)));
    System.out.printf(Locale.ROOT, "step time    %s = compute %s + communication %s%n", time(plan.stepTime()),
        time(plan.computeTime()), time(plan.commTime()));
    System.out.printf(Locale.ROOT, "peak memory  %.2f MiB per device%n", plan.peakMemory() / 1048576.0);
    System.out.printf(Locale.ROOT, "plan         %s, %d collectives per step%n",
        plan.isOptimal() ? "proven optimal" : "best found", plan.collectiveCount());
    System.out.println("strategies of the forward contractions:");
    for (int op = 0; op < graph.opCount(); op++) {
      if (graph.opKind(op) != OpKind.DOT || graph.opPhase(op) != Phase.FORWARD) continue;
      String scope = graph.opScope(op).isEmpty() ? "-" : graph.opScope(op);
      String strategy = Optimizer.describeStrategy(graph, options, op, plan.opStrategy(op));
      System.out.printf(Locale.ROOT, "  %-16s %-24s %s%n", scope, graph.opName(op), strategy);
    }
  }

  static String time(double seconds) {
    if (seconds >= 1) return String.format(Locale.ROOT, "%.3f s", seconds);
    if (seconds >= 1e-3) return String.format(Locale.ROOT, "%.3f ms", seconds * 1e3);
    return String.format(Locale.ROOT, "%.3f us", seconds * 1e6);
  }
}
