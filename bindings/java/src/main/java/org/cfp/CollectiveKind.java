package org.cfp;

/** The kind of a collective a plan inserts ({@code cfp_collective_kind}). */
public enum CollectiveKind {
  ALL_REDUCE(0),
  ALL_GATHER(1),
  REDUCE_SCATTER(2),
  ALL_TO_ALL(3);

  private final int code;

  CollectiveKind(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static CollectiveKind fromCode(int code) {
    for (CollectiveKind v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown CollectiveKind code " + code);
  }
}
