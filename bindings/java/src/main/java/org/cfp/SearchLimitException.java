package org.cfp;

import java.util.Optional;

/**
 * The search stopped at its time limit ({@link Status#TIME_LIMIT}) or its memory limit
 * ({@link Status#MEMORY_LIMIT}). It may carry the best plan found so far, which the catcher
 * owns and closes.
 */
public final class SearchLimitException extends CfpException {
  private static final long serialVersionUID = 1L;

  private final transient Plan bestSoFar;

  SearchLimitException(int code, String libraryMessage, Plan bestSoFar) {
    super(code, libraryMessage);
    this.bestSoFar = bestSoFar;
  }

  /** The best plan found before the limit, if the search had one. */
  public Optional<Plan> bestSoFar() {
    return Optional.ofNullable(bestSoFar);
  }
}
