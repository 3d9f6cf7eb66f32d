package org.cfp;

/** The predicate of a {@link OpKind#COMPARE} ({@code cfp_comparison}), set with {@link Attr#COMPARISON}. */
public enum Comparison {
  EQ(0),
  NE(1),
  LT(2),
  LE(3),
  GT(4),
  GE(5);

  private final int code;

  Comparison(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static Comparison fromCode(int code) {
    for (Comparison v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown Comparison code " + code);
  }
}
