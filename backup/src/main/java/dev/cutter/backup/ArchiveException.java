package dev.cutter.backup;

import java.io.IOException;

/** The bytes are not a complete, well-formed custom-format archive; the message says where. */
public final class ArchiveException extends IOException {

  private static final long serialVersionUID = 1L;

  public ArchiveException(String message) {
    super(message);
  }
}
