package org.cfp;

/** The part of the training step an operator belongs to ({@code cfp_phase}). */
public enum Phase {
  FORWARD(0),
  BACKWARD(1),
  UPDATE(2);

  private final int code;

  Phase(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static Phase fromCode(int code) {
    for (Phase v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown Phase code " + code);
  }
}
