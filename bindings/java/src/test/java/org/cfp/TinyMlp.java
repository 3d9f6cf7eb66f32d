package org.cfp;

/** x[batch,hidden] -> relu(x @ w1 + b1) @ w2, built with the builder: 5 ops, 10 tensors. */
final class TinyMlp {
  private TinyMlp() {}

  static Graph build(long batch, long hidden) {
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
      b.setTensorValue(zero, 0.0);

      int dot1 = b.addOp("dot1", OpKind.DOT, new int[] {x, w1}, new int[] {h});
      b.setOpInts(dot1, Attr.LHS_CONTRACT, 1);
      b.setOpInts(dot1, Attr.RHS_CONTRACT, 0);
      int bc = b.addOp("bias.broadcast", OpKind.BROADCAST, new int[] {b1}, new int[] {bb});
      b.setOpInts(bc, Attr.DIMS, 1);
      b.addOp("bias.add", OpKind.ADD, new int[] {h, bb}, new int[] {hb});
      b.addOp("relu", OpKind.MAXIMUM, new int[] {hb, zero}, new int[] {r});
      int dot2 = b.addOp("dot2", OpKind.DOT, new int[] {r, w2}, new int[] {y});
      b.setOpInts(dot2, Attr.LHS_CONTRACT, 1);
      b.setOpInts(dot2, Attr.RHS_CONTRACT, 0);
      b.setOpScope(dot1, "mlp.0");
      b.setOpScope(dot2, "mlp.1");
      return b.finish();
    }
  }
}
