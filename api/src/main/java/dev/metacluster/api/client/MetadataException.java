package dev.metacluster.api.client;

import io.grpc.Status;
import java.util.Optional;

/**
 * The one exception of {@link MetadataClient}: a gRPC status code and the server's message (or the
 * client's own, for a deadline spent on retries or a closed client).
 *
 * <p>The code is the contract (see fs.proto): {@code NOT_FOUND}, {@code ALREADY_EXISTS}, {@code
 * INVALID_ARGUMENT} and {@code FAILED_PRECONDITION} are final answers about the namespace; {@code
 * UNAVAILABLE} and {@code DEADLINE_EXCEEDED} mean the client ran out of attempts or time (a write
 * may or may not have been applied); {@code DATA_LOSS} is a backup whose checksum does not match.
 */
public class MetadataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String description;
  private final String address;

  public MetadataException(Status.Code code, String description, String address, Throwable cause) {
    super(format(code, description, address), cause);
    this.code = code;
    this.description = description == null ? "" : description;
    this.address = address;
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The message of the member that answered (or of the client), without the code. */
  public String description() {
    return description;
  }

  /** The member (host:port) whose answer this is, when one answered. */
  public Optional<String> address() {
    return Optional.ofNullable(address);
  }

  static MetadataException of(Status status, String address) {
    return new MetadataException(
        status.getCode(), status.getDescription(), address, status.getCause());
  }

  private static String format(Status.Code code, String description, String address) {
    StringBuilder s = new StringBuilder(code.name());
    if (description != null && !description.isEmpty()) {
      s.append(": ").append(description);
    }
    if (address != null) {
      s.append(" (").append(address).append(')');
    }
    return s.toString();
  }
}
