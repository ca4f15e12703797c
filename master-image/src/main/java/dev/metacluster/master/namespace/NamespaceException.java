package dev.metacluster.master.namespace;

import dev.metacluster.master.proto.CommandError;
import dev.metacluster.master.proto.ErrorCode;

/** A namespace operation was refused; nothing was changed. The code says why, for mapping. */
public final class NamespaceException extends Exception {
  private final ErrorCode code;

  public NamespaceException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public CommandError toProto() {
    return CommandError.newBuilder().setCode(code).setMessage(getMessage()).build();
  }

  public static NamespaceException fromProto(CommandError error) {
    return new NamespaceException(error.getCode(), error.getMessage());
  }

  @Override
  public String toString() {
    return code + ": " + getMessage();
  }
}
