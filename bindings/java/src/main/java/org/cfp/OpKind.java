package org.cfp;

import org.cfp.internal.CfpNative;

/**
 * An operator kind at XLA-HLO granularity ({@code cfp_op_kind}); cfp.h lists the attributes each
 * kind reads.
 */
public enum OpKind {
  ABS(0),
  NEG(1),
  EXP(2),
  LOG(3),
  SQRT(4),
  RSQRT(5),
  TANH(6),
  LOGISTIC(7),
  SIN(8),
  COS(9),
  CONVERT(10),
  COPY(11),
  ADD(20),
  SUBTRACT(21),
  MULTIPLY(22),
  DIVIDE(23),
  MAXIMUM(24),
  MINIMUM(25),
  POWER(26),
  COMPARE(27),
  SELECT(28),
  BROADCAST(40),
  RESHAPE(41),
  TRANSPOSE(42),
  SLICE(43),
  PAD(44),
  CONCATENATE(45),
  IOTA(46),
  REDUCE_SUM(60),
  REDUCE_MAX(61),
  REDUCE_MIN(62),
  DOT(80),
  GATHER(100),
  SCATTER_ADD(101),
  CUSTOM(200);

  private final int code;

  OpKind(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The library's name, e.g. "dot". */
  public String libraryName() {
    return CfpNative.cfp_op_kind_name(code);
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static OpKind fromCode(int code) {
    for (OpKind v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown OpKind code " + code);
  }
}
