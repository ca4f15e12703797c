package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * Backups as objects in an S3-compatible bucket. With an endpoint, addressing is path-style (any
 * S3-compatible server); credentials come from a Secret as the standard AWS environment variables.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Target {
  public static final String DEFAULT_REGION = "us-east-1";
  public static final String KEY_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  public static final String KEY_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";

  @JsonPropertyDescription("The server's URL, e.g. https://minio.storage.svc:9000; AWS when unset.")
  @Pattern("^https?://\\S+$")
  public String endpoint;

  @JsonPropertyDescription("The bucket.")
  @Required
  @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
  public String bucket;

  @JsonPropertyDescription("Key prefix (a folder) in the bucket; the cluster's name when unset.")
  @Pattern(BackupSpec.PREFIX_PATTERN)
  public String prefix;

  @JsonPropertyDescription("The region, us-east-1 when unset.")
  public String region;

  @JsonPropertyDescription(
      "A Secret in the cluster's namespace with the keys AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY.")
  public String credentialsSecret;

  public String regionOrDefault() {
    return region == null || region.isBlank() ? DEFAULT_REGION : region;
  }
}
