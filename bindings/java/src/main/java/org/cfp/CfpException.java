package org.cfp;

/** A failed libcfp call: its status and the library's message. */
public class CfpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status status;
  private final int code;
  private final String libraryMessage;

  public CfpException(int code, String libraryMessage) {
    super(libraryMessage + " [" + Status.fromCode(code) + "]");
    this.status = Status.fromCode(code);
    this.code = code;
    this.libraryMessage = libraryMessage;
  }

  public CfpException(Status status, String libraryMessage) {
    this(status.code(), libraryMessage);
  }

  /** The status of the failed call. */
  public Status status() {
    return status;
  }

  /** The numeric status code, also when {@link #status()} is {@link Status#UNKNOWN}. */
  public int code() {
    return code;
  }

  /** The library's message, e.g. "cfp_graph_op_name: op 5 is out of range (graph has 5 ops)". */
  public String libraryMessage() {
    return libraryMessage;
  }
}
