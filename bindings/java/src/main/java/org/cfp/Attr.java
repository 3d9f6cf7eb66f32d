package org.cfp;

/** An operator attribute key ({@code cfp_attr}). */
public enum Attr {
  DIMS(0),
  LHS_BATCH(1),
  RHS_BATCH(2),
  LHS_CONTRACT(3),
  RHS_CONTRACT(4),
  STARTS(5),
  LIMITS(6),
  PAD_LOW(7),
  PAD_HIGH(8),
  AXIS(9),
  COMPARISON(10),
  PAD_VALUE(11),
  FLOPS_PER_POINT(12);

  private final int code;

  Attr(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static Attr fromCode(int code) {
    for (Attr v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown Attr code " + code);
  }
}
